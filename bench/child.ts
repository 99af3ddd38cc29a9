// Entry of the processes the benches start apart from themselves: the fake upstream and the two pipes.
// Each prints one line when it is ready, then runs until it is killed.
import { startPipe } from './pipe.js';
import { startUpstream } from './upstream.js';

const [role, upstream, port, connection] = process.argv.slice(2);
if (role === 'upstream') {
  const { url, close } = await startUpstream();
  process.once('SIGTERM', () => void close().then(() => process.exit(0)));
  process.stdout.write(`${url}\n`);
} else if ((role === 'pipe' || role === 'pipe-parse') && upstream && port) {
  const close = await startPipe(upstream, Number(port), role === 'pipe-parse', connection === 'spare');
  // A normal exit, so that --cpu-prof writes its profile.
  process.once('SIGTERM', () => void close().then(() => process.exit(0)));
  process.stdout.write('ready\n');
} else {
  process.stderr.write('usage: child.js upstream | pipe UPSTREAM PORT [spare] | pipe-parse UPSTREAM PORT [spare]\n');
  process.exit(2);
}
