// `node dist/bench/decide.js` (after `npm run build`): only the routing decision cases of the bench, printed.
import { CLASSIFIER_CASES, classifierTimes, decisionTimes, judgeTimes } from './decisions.js';
import type { Summary } from './stats.js';

const row = (name: string, s: Summary) => `| ${name} | ${s.p50.toFixed(4)} | ${s.p90.toFixed(4)} | ${s.p99.toFixed(4)} | ${s.max.toFixed(4)} |`;
const judge = await judgeTimes();
const small = decisionTimes('20kB');
const large = decisionTimes('80kB');
const pasted = classifierTimes('pasted');
const typed = classifierTimes('typed');
const lines = [
  '| case | p50 ms | p90 ms | p99 ms | max ms |',
  '| --- | ---: | ---: | ---: | ---: |',
  row('decide, 20 kB bench request', small.decide),
  row('decide, 20 kB bench request (CPU time)', small.decideCpu),
  row('decide, 80 kB bench request', large.decide),
  row('decide, 80 kB bench request (CPU time)', large.decideCpu),
  row(`decide, ${CLASSIFIER_CASES.pasted} (task classifier)`, pasted.decide),
  row(`decide, ${CLASSIFIER_CASES.pasted} (task classifier, CPU time)`, pasted.decideCpu),
  row(`decide, ${CLASSIFIER_CASES.typed} (task classifier)`, typed.decide),
  row(`decide, ${CLASSIFIER_CASES.typed} (task classifier, CPU time)`, typed.decideCpu),
  row('unsure prompt: decide alone', judge.without),
  row('unsure prompt: decide + judge, new prompt', judge.cold),
  row('unsure prompt: decide + judge, cached', judge.cached),
];
process.stdout.write(`${lines.join('\n')}\n`);
