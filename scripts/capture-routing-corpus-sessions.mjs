// The sessions a capture drives: our own prompts, what the fake answers (text, tool calls,
// subagent tasks) and the route each task deserves. `mode: 'print'` runs `claude -p` (follow-ups
// with --continue, or --resume where a step says `resume`); `mode: 'ui'` types into the
// interactive UI in tmux (session titles, /context, /compact).

const bash = (command, description) => ({ name: 'Bash', input: { command, description } });
const read = (project, file) => ({ name: 'Read', input: { file_path: `${project}/${file}` } });
// Claude Code 2.1.197 has no Glob or Grep tool: it finds and searches through Bash.
const glob = (pattern) => bash(`git ls-files '${pattern.replace('**/', '')}'`, 'Find files');
const grep = (pattern) => bash(`grep -rnE '${pattern}' src`, 'Search the code');

const SIMPLE = 'local';
const COMPLEX = 'remote';

const TRACEBACK = `Traceback (most recent call last):
  File "/srv/app/worker.py", line 88, in run
    batch = queue.pop(timeout=5)
  File "/srv/app/queue.py", line 41, in pop
    return self._items.popleft()
IndexError: pop from an empty deque
${'worker heartbeat ok\n'.repeat(40)}`;

const BUILD_LOG = `${Array.from({ length: 120 }, (_, i) => `[build] step ${i + 1}/120 compiling module_${i}.c ... ok`).join('\n')}
[build] error: undefined reference to 'crc32_update'
[build] make: *** [Makefile:42: all] Error 1`;

const SNIPPET = `function total(items) {
  let sum = 0;
  for (let i = 1; i < items.length; i++) sum += items[i].price * items[i].qty;
  return sum;
}`;

const CSV_HEAD = Array.from({ length: 60 }, (_, i) => `${i},sku-${i},${(i * 37) % 100},${i % 3 === 0 ? 'north' : 'south'}`).join('\n');

/** Single first turns in print mode: [prompt, expected, answer, tool calls?]. */
function firstTurns(project) {
  const simple = [
    ['What is NixOS?', 'NixOS is a Linux distribution built on the Nix package manager, configured declaratively.'],
    ['List files in current directory', 'The directory holds README.md, package.json, notes.md, src/ and logs/.', [bash('ls -la', 'List files in current directory')]],
    ['Show git status', 'One file is modified: notes.md.', [bash('git status', 'Show working tree status')]],
    [`Explain this code block\n\n${SNIPPET}`, 'It sums price times quantity over the items, but it skips the first item because the loop starts at 1.'],
    [`Review this function\n\n${SNIPPET}`, 'The loop starts at index 1, so the first item is never counted; start at 0.'],
    [`Fix this bug\n\n${SNIPPET}`, 'Start the loop at 0: for (let i = 0; i < items.length; i++).'],
    ['What does `git rebase --onto` do?', 'It replays a range of commits onto a new base commit.'],
    ['How do I list only hidden files in bash?', 'Use ls -d .* to list only the dot files.'],
    ['What is the difference between let and const in JavaScript?', 'const cannot be reassigned; let can. Both are block scoped.'],
    ['Convert 1536 MiB to GiB', '1536 MiB is 1.5 GiB.'],
    ['Write a small function that reverses a string in Python', 'def reverse(s): return s[::-1]'],
    ['What port does the server in this repo listen on?', 'It listens on port 3000.', [grep('listen')]],
    ['Show me the contents of notes.md', 'notes.md lists two open questions and a todo about a health endpoint.', [read(project, 'notes.md')]],
    ['How many lines does src/server.js have?', 'src/server.js has 17 lines.', [bash('wc -l src/server.js', 'Count lines')]],
    ['What does the chunk function in src/util.js do?', 'It splits an array into slices of the given size.', [read(project, 'src/util.js')]],
    ['Rename the variable `out` to `chunks` in src/util.js', 'Renamed out to chunks in src/util.js.', [read(project, 'src/util.js')]],
    ['What is a monad, in one sentence?', 'A monad is a type with a way to wrap values and chain computations that produce wrapped values.'],
    ['Show the last commit message', 'The last commit is "inventory service".', [bash('git log -1 --pretty=%s', 'Show last commit message')]],
    ['Which version is this package?', 'package.json says version 0.3.1.', [read(project, 'package.json')]],
    ['What does HTTP status 429 mean?', '429 Too Many Requests: the client is being rate limited.'],
    ['Give me a regex that matches an ISO date like 2024-05-01', '^\\d{4}-\\d{2}-\\d{2}$'],
    ['How do I undo the last git commit but keep the changes?', 'git reset --soft HEAD~1'],
    [`Why does this fail?\n\n${TRACEBACK}`, 'The queue is empty when pop is called; check for emptiness or catch IndexError.'],
    [`What is the error here?\n\n${BUILD_LOG}`, 'The link step cannot find crc32_update: add the library that defines it to the link line.'],
    [`What is the average of the third column?\n\n${CSV_HEAD}`, 'The average of the third column is about 49.'],
    ['Add a comment above getStock explaining what it returns', 'Added a comment above getStock.', [read(project, 'src/db.js')]],
    ['Print the current date in ISO format with a shell command', 'date -u +%Y-%m-%dT%H:%M:%SZ', [bash('date -u +%Y-%m-%dT%H:%M:%SZ', 'Print the date')]],
    ['What is the capital of Australia?', 'Canberra.'],
    ['Translate "good morning" into French', 'Bonjour.'],
    ['Is there a test script in package.json?', 'Yes: "test": "node --test".', [read(project, 'package.json')]],
    ['Count the log lines with status 401', 'One line has status 401.', [bash('grep -c " 401" logs/app.log', 'Count 401 lines')]],
    ['What does `set -euo pipefail` do?', 'Exit on errors, on unset variables, and on failures inside pipelines.'],
    ['Format this JSON: {"a":1,"b":[1,2,3],"c":{"d":true}}', '{\n  "a": 1,\n  "b": [1, 2, 3],\n  "c": { "d": true }\n}'],
    ['Which files import db.js?', 'Only src/server.js imports db.js.', [grep('db.js')]],
    ['Write a one-line bash loop that prints 1 to 5', 'for i in 1 2 3 4 5; do echo $i; done'],
    ['What is the time complexity of binary search?', 'O(log n).'],
    ['Show the size of the src directory', 'src is about 16 kB.', [bash('du -sh src', 'Show directory size')]],
    ['Explain what a race condition is', 'Two operations that depend on timing touch shared state, so the result depends on which runs first.'],
    ['Does src/auth.js handle a missing header?', 'Yes: a missing header becomes an empty string, which is not a valid token.', [read(project, 'src/auth.js')]],
    ['How do I make a file executable?', 'chmod +x FILE'],
    ['Fix the off-by-one in chunk in src/util.js', 'The loop condition should be i < items.length; changed it.', [read(project, 'src/util.js')]],
    ['What is the default branch of this repo?', 'The default branch is main.', [bash('git branch --show-current', 'Show current branch')]],
  ];
  const complex = [
    ['Refactor entire codebase', 'Here is a plan to restructure the service into layers, with the steps in order.', [glob('**/*.js'), read(project, 'src/server.js')]],
    ['Design distributed system architecture', 'A design with a gateway, a replicated stock store, an event log and consumers, with the trade-offs of each.'],
    ['Analyse src/server.js, src/db.js and src/auth.js together and tell me how they should be restructured', 'The three files share concerns that belong in separate layers; here is the restructuring.', [read(project, 'src/server.js'), read(project, 'src/db.js'), read(project, 'src/auth.js')]],
    ['Migrate the whole service from plain node:http to fastify, including tests and docs', 'A migration plan and the first changes across the service.', [glob('**/*'), read(project, 'src/server.js')]],
    ['Audit the entire repository for security vulnerabilities and write a report', 'A security report covering authentication, input handling and dependencies.', [glob('**/*.js'), grep('process.env')]],
    ['Investigate why stock counts drift after restarts and propose a durable storage design', 'The counts live only in memory; a design with a write-ahead log and snapshots fixes it.', [read(project, 'src/db.js'), read(project, 'notes.md')]],
    ['Implement rate limiting across all endpoints with per-token quotas, persistence and tests', 'An implementation across the handlers with a token bucket per token, stored durably.', [read(project, 'src/server.js')]],
    ['Redesign the authentication system to support OAuth, API keys and service accounts across every service', 'A redesign with a token service, scopes and a migration path.'],
    ['Plan the migration of our monolith to microservices: service boundaries, data ownership, rollout', 'A plan with boundaries by domain, a strangler rollout and data ownership per service.'],
    ['Investigate performance problems across the whole request path and propose fixes ranked by impact', 'A profile-driven list of fixes ranked by expected gain.', [glob('src/**'), read(project, 'src/server.js')]],
    ['Rewrite the storage layer to use PostgreSQL with migrations, connection pooling and retries, and update all callers', 'A rewrite of the storage layer and every caller.', [grep('getStock|setStock')]],
    ['Design a multi-region active-active deployment for this service with conflict resolution', 'An active-active design with CRDT counters per region and a reconciliation job.'],
    ['Review the architecture of the entire codebase and list every design flaw with a fix for each', 'A list of design flaws across the codebase with a fix for each.', [glob('**/*.js')]],
    ['Add end-to-end observability: structured logging, metrics and distributed tracing across all services', 'A plan and the code changes for logs, metrics and traces in every service.'],
    ['Convert the entire project to TypeScript with strict mode and fix every type error', 'A conversion plan with the build setup and the typed modules.', [glob('**/*.js'), read(project, 'package.json')]],
    ['Design an event sourcing model for inventory with projections, snapshots and replay', 'An event model with stock events, projections and snapshotting.'],
    ['Find all the places where authentication is checked, unify them, and write tests for every path', 'Authentication is checked in the server handler; here is a unified middleware and its tests.', [grep('checkToken'), read(project, 'src/auth.js')]],
    ['Implement a plugin system for the service so third parties can add endpoints safely, with sandboxing', 'A plugin design with a manifest, an isolated runtime and a review process.'],
    ['Set up a complete CI/CD pipeline with build, test, security scanning, staging and canary releases', 'A pipeline with stages for build, test, scanning, staging and canary.'],
    ['Write a comprehensive test suite for the whole codebase: unit, integration and load tests', 'A test suite covering every module, the HTTP surface and a load profile.', [glob('**/*.js')]],
    ['Analyse the concurrency model of the service and redesign it to handle 10k requests per second', 'The service serialises writes through one map; a sharded design reaches the target.', [read(project, 'src/server.js'), read(project, 'src/db.js')]],
    ['Design a schema and API for multi-tenant inventory with per-tenant isolation, billing and quotas', 'A multi-tenant schema and API with isolation, metering and quotas.'],
    ['Port this service to Rust while keeping the HTTP API compatible, and plan the cut-over', 'A port plan with the crate layout, API compatibility tests and a cut-over.'],
    ['Implement a distributed lock service with leases and fencing tokens, and integrate it with the storage layer', 'A lock service design with leases and fencing, integrated with writes.'],
    ['Restructure the repository into a monorepo with shared libraries, versioning and independent deploys', 'A monorepo layout with workspaces, shared packages and release tooling.'],
    ['Investigate the memory growth in production over a week and design a fix with monitoring', 'The in-memory map grows without bound; a bounded cache with eviction and alerts fixes it.', [read(project, 'src/db.js')]],
    ['Build a full admin dashboard for the service: authentication, stock views, audit log and exports', 'A dashboard design with its pages, API and audit trail.'],
    ['Design a caching strategy across all layers with invalidation rules and consistency guarantees', 'A layered caching design with explicit invalidation and bounded staleness.'],
    ['Evaluate three database options for this workload and write a decision record with benchmarks to run', 'A decision record comparing the options on consistency, latency and operations.'],
    ['Implement zero-downtime schema migrations for the whole platform, with rollback', 'An expand-and-contract migration process with tooling and rollback.'],
    ['Propose a complete error-handling strategy for every module and apply it across the codebase', 'An error taxonomy and its application in each module.', [glob('src/*.js'), read(project, 'src/server.js')]],
    ['Design the data pipeline that feeds warehouse events into analytics with exactly-once semantics', 'A pipeline with an outbox, a log and idempotent consumers for exactly-once effects.'],
    ['Threat-model the whole system and produce mitigations for each trust boundary', 'A threat model with the trust boundaries and a mitigation for each.'],
    ['Rework the API into a versioned REST design with pagination, filtering and backward compatibility across clients', 'A versioned API design with pagination, filters and a deprecation policy.'],
    ['Implement offline-first sync between the mobile clients and this service with conflict resolution', 'A sync protocol with vector clocks and merge rules.'],
    ['Review every dependency and the build setup, then design a reproducible build with pinned toolchains', 'A reproducible build design with pinned inputs and verification.', [read(project, 'package.json')]],
    ['Design a disaster recovery plan with RPO and RTO targets for all services and data stores', 'A recovery plan with targets, backups, drills and failover steps.'],
    ['Create an architecture for feature flags across services with gradual rollout and kill switches', 'A feature-flag architecture with targeting, rollout and kill switches.'],
    ['Analyse all the logs and the code together and explain every cause of the 401 errors, then redesign token handling', 'The 401s come from an empty token list; here is a token handling redesign.', [read(project, 'logs/app.log'), read(project, 'src/auth.js'), read(project, 'src/server.js')]],
    ['Plan and implement internationalisation for the whole product, including the API, emails and the dashboard', 'An i18n plan covering message catalogues, locale negotiation and formatting.'],
    ['Design a scalable search service for inventory with indexing, ranking and near-real-time updates', 'A search design with an index pipeline, ranking and update propagation.'],
    ['Implement role-based access control across all endpoints and services with an audit trail', 'An RBAC model, enforcement points in every handler and an audit log.', [grep('checkToken')]],
  ];
  return { simple, complex };
}

/** Sessions with subagents: the Agent tool runs a task of its own, labelled by that task. */
function agentSessions(project) {
  return [
    {
      prompt: 'Use a subagent to find which file defines checkToken',
      expected: SIMPLE,
      answer: 'checkToken is defined in src/auth.js.',
      tools: [{ name: 'Agent', input: { description: 'Find checkToken', prompt: 'Find the file that defines checkToken and report its path.', subagent_type: 'Explore' } }],
      agent: { expected: SIMPLE, answer: 'src/auth.js defines checkToken.', tools: [grep('function checkToken')] },
    },
    {
      prompt: 'Have an agent read notes.md and summarise it',
      expected: SIMPLE,
      answer: 'The notes list two open questions and a todo.',
      tools: [{ name: 'Agent', input: { description: 'Summarise notes', prompt: 'Read notes.md and summarise it in two lines.', subagent_type: 'general-purpose' } }],
      agent: { expected: SIMPLE, answer: 'Two open questions (drift, duplicated auth) and a health endpoint todo.', tools: [read(project, 'notes.md')] },
    },
    {
      prompt: 'Audit all services for security issues, using subagents for the deep dives',
      expected: COMPLEX,
      answer: 'The audit found an empty token list accepted by default and unvalidated counts.',
      tools: [{ name: 'Agent', input: { description: 'Audit authentication', prompt: 'Audit the authentication design across the whole service: token storage, comparison, rotation and every handler that checks it. Report every weakness with a fix.', subagent_type: 'general-purpose' } }],
      agent: { expected: COMPLEX, answer: 'Tokens come from an environment list that can be empty; comparison is not constant-time; no rotation.', tools: [read(project, 'src/auth.js'), read(project, 'src/server.js')] },
    },
    {
      prompt: 'Redesign the storage layer for durability; delegate the investigation of the current design to an agent',
      expected: COMPLEX,
      answer: 'A durable storage design with a log and snapshots, based on the investigation.',
      tools: [{ name: 'Agent', input: { description: 'Investigate storage', prompt: 'Investigate the whole storage layer and every caller, and explain how data could be lost across restarts and concurrent writes.', subagent_type: 'general-purpose' } }],
      agent: { expected: COMPLEX, answer: 'All data lives in a Map; restarts lose it and concurrent writes race.', tools: [read(project, 'src/db.js'), grep('setStock')] },
    },
    {
      prompt: 'Ask an explore agent to list the JavaScript files',
      expected: SIMPLE,
      answer: 'There are four JavaScript files under src/.',
      tools: [{ name: 'Agent', input: { description: 'List JS files', prompt: 'List the JavaScript files in this repository.', subagent_type: 'Explore' } }],
      agent: { expected: SIMPLE, answer: 'src/server.js, src/db.js, src/auth.js, src/util.js', tools: [glob('**/*.js')] },
    },
    {
      prompt: 'Plan a migration of the whole service to an event-driven architecture; use an agent to map the current data flow first',
      expected: COMPLEX,
      answer: 'The migration plan, in phases, from the mapped data flow.',
      tools: [{ name: 'Agent', input: { description: 'Map data flow', prompt: 'Map the complete data flow of the service across all modules, every read and write path, and the consistency assumptions each one makes.', subagent_type: 'general-purpose' } }],
      agent: { expected: COMPLEX, answer: 'Requests go through server.js to an in-memory map with no ordering guarantees.', tools: [glob('src/*.js'), read(project, 'src/server.js')] },
    },
  ];
}

const one = (prompt, expected, answer, tools = [], extra = {}) => ({ prompt, expected, answer, tools, ...extra });

/** Print-mode sessions with follow-ups (--continue), and the effort escalations. */
function printSessions(project) {
  return [
    {
      name: 'follow-simple',
      steps: [
        one('What does src/db.js export?', SIMPLE, 'It exports getStock and setStock.', [read(project, 'src/db.js')]),
        one('And what does getStock return for an unknown sku?', SIMPLE, 'It returns 0.', [], { note: 'a simple follow-up to a simple task' }),
        one('Thanks. What is the Node.js command to run it?', SIMPLE, 'node src/server.js', [], { note: 'a simple follow-up' }),
      ],
    },
    {
      name: 'follow-complex',
      steps: [
        one('Refactor the whole service into controller, service and repository layers across all files', COMPLEX, 'The layered refactoring plan for every file.', [glob('src/*.js')]),
        one('Go ahead and apply that refactoring to every module, and update the tests as well', COMPLEX, 'Applied the refactoring in every module.', [read(project, 'src/server.js')], { note: 'continues the escalated task' }),
        one('Now do the same for the error handling across the layers', COMPLEX, 'Error handling is now layered the same way.', [], { note: 'continues the escalated task' }),
      ],
    },
    {
      name: 'follow-switch',
      steps: [
        one('Design a sharded storage architecture for the inventory across regions', COMPLEX, 'A sharded design by sku hash with regional replicas.'),
        one('Unrelated question: what does `git stash pop` do?', SIMPLE, 'It re-applies the latest stash and drops it from the stash list.', [], { note: 'a new, simple task after an escalated one: decided afresh' }),
      ],
    },
    {
      name: 'follow-escalate',
      steps: [
        one('What does src/server.js do?', SIMPLE, 'It serves stock counts over HTTP behind a token check.', [read(project, 'src/server.js')]),
        one('Now redesign it and everything it touches for horizontal scaling across many instances with shared state', COMPLEX, 'A redesign with stateless handlers, a shared store and a load balancer.', [], { note: 'a follow-up that starts a complex task' }),
        one('Continue with the migration steps for each module', COMPLEX, 'Migration steps per module.', [], { note: 'continues the escalated task' }),
      ],
    },
    {
      name: 'follow-tools',
      steps: [
        one('Show git log for the last commit', SIMPLE, 'One commit: inventory service.', [bash('git log -1 --oneline', 'Show last commit')]),
        one('What changed in the working tree since then?', SIMPLE, 'notes.md gained one line.', [bash('git diff --stat', 'Show diff summary')], { note: 'a simple follow-up with its own tool loop' }),
      ],
    },
    {
      name: 'resume-simple',
      steps: [
        one('What does the README say about running the service?', SIMPLE, 'Run it with node src/server.js.', [read(project, 'README.md')]),
        one('Which port will it use then?', SIMPLE, 'Port 3000.', [], { resume: true, note: 'a simple follow-up in a resumed session (--resume)' }),
      ],
    },
    {
      name: 'resume-complex',
      steps: [
        one('Design a migration of the whole service to a message-queue architecture', COMPLEX, 'A phased migration with a queue per write path and idempotent consumers.'),
        one('Continue the design with the failure handling for every consumer', COMPLEX, 'Retries with backoff, a dead-letter queue and replay per consumer.', [], { resume: true, note: 'continues the escalated task in a resumed session (--resume)' }),
      ],
    },
    { name: 'xhigh-simple', steps: [one('What is NixOS? Explain briefly.', COMPLEX, 'NixOS is a declarative Linux distribution.', [], { flags: ['--effort', 'xhigh'], note: 'a simple prompt, but the user asked for effort xhigh (above the default): escalates' })] },
    { name: 'xhigh-tools', steps: [one('List the files in src', COMPLEX, 'server.js, db.js, auth.js, util.js', [bash('ls src', 'List src')], { flags: ['--effort', 'xhigh'], note: 'effort xhigh escalates; its tool loop follows' })] },
    { name: 'xhigh-complex', steps: [one('Design the replication protocol for the stock store', COMPLEX, 'A leader-based replication protocol with quorum writes.', [], { flags: ['--effort', 'xhigh'], note: 'complex, and effort xhigh' })] },
    { name: 'max-simple', steps: [one('What is a mutex?', COMPLEX, 'A lock that lets one thread at a time into a critical section.', [], { flags: ['--effort', 'max'], note: 'effort max (above the default) escalates' })] },
    { name: 'ultrathink-simple', steps: [one('ultrathink: what is the best name for the chunk function?', COMPLEX, 'splitIntoBatches says what it does.', [], { note: 'ultrathink: the client adds its paragraph to the role:"system" turn (its marker word kept)' })] },
    { name: 'ultrathink-tools', steps: [one('Look at src/auth.js and tell me if it is safe. ultrathink', COMPLEX, 'It accepts an empty token when TOKENS is unset.', [read(project, 'src/auth.js')], { note: 'ultrathink escalates; its tool loop follows' })] },
    {
      name: 'ultrathink-follow',
      steps: [
        one('ultrathink about how the token check could be bypassed', COMPLEX, 'An empty TOKENS list contains the empty string, so an empty header passes.'),
        one('Which line is it exactly?', COMPLEX, 'The split of an empty string yields [""] in auth.js line 1.', [], { note: 'continues an ultrathink task (the system turn still carries the marker)' }),
      ],
    },
  ];
}

/** Interactive sessions: every one produces a session title; most end with /compact. */
function uiSessions(project) {
  return [
    {
      name: 'ui-nixos',
      steps: [
        one('What is NixOS?', SIMPLE, 'NixOS is a Linux distribution configured declaratively.', [], { title: 'NixOS overview' }),
        one('How do I install a package on it?', SIMPLE, 'Add it to environment.systemPackages and run nixos-rebuild switch.', [], { note: 'a simple follow-up' }),
        one('And how do I roll back?', SIMPLE, 'Run nixos-rebuild switch --rollback.', [], { note: 'a simple follow-up' }),
        { command: '/context', expected: 'remote' },
        { compact: true, answer: '<analysis>Short Q&A about NixOS.</analysis>\n<summary>The user asked what NixOS is, how to install packages and how to roll back.</summary>' },
      ],
    },
    {
      name: 'ui-refactor',
      steps: [
        one('Refactor entire codebase', COMPLEX, 'A plan to restructure every module, in order.', [glob('**/*.js'), read(project, 'src/server.js')], { title: 'Refactor the codebase' }),
        one('Start with the storage layer and update every caller', COMPLEX, 'The storage layer now hides the map; callers updated.', [grep('getStock')], { note: 'continues the escalated task' }),
        { compact: true, answer: '<analysis>A codebase refactoring in progress.</analysis>\n<summary>The user asked to refactor the codebase; the storage layer was done first.</summary>' },
        one('Continue with the auth module', COMPLEX, 'The auth module is now a middleware.', [read(project, 'src/auth.js')], { note: 'continues the escalated task after /compact' }),
      ],
    },
    {
      name: 'ui-listfiles',
      steps: [
        one('List files in current directory', SIMPLE, 'README.md, package.json, notes.md, src, logs.', [bash('ls', 'List files')], { title: 'List directory files' }),
        one('Show git status', SIMPLE, 'notes.md is modified.', [bash('git status --short', 'Show status')], { note: 'a simple follow-up with a tool loop' }),
        { compact: true, answer: '<analysis>Listing files and status.</analysis>\n<summary>The user listed files and checked git status.</summary>' },
      ],
    },
    {
      name: 'ui-design',
      steps: [
        one('Design distributed system architecture', COMPLEX, 'A design with a gateway, a replicated store and an event log.', [], { title: 'Distributed architecture design' }),
        one('Expand the part about the replicated store: consistency model, failover and repair', COMPLEX, 'Quorum writes, leader failover and anti-entropy repair.', [], { note: 'continues the escalated task' }),
        { compact: true, answer: '<analysis>Architecture design discussion.</analysis>\n<summary>The user is designing a distributed architecture with a replicated store.</summary>' },
      ],
    },
    {
      name: 'ui-explain',
      steps: [
        one('Explain src/util.js', SIMPLE, 'It has one function, chunk, that splits an array into slices.', [read(project, 'src/util.js')], { title: 'Explain util module' }),
        one('Is there a bug in it?', SIMPLE, 'Yes: <= makes it add an empty last chunk.', [], { note: 'a simple follow-up' }),
        one('Fix it', SIMPLE, 'Changed <= to <.', [], { note: 'a simple follow-up' }),
        { compact: true, answer: '<analysis>A small fix in util.js.</analysis>\n<summary>The user had chunk explained and fixed its loop condition.</summary>' },
      ],
    },
    {
      name: 'ui-audit',
      steps: [
        one('Audit the whole repository for security problems and design fixes for each', COMPLEX, 'The audit found token handling and input validation problems, with fixes.', [glob('**/*'), read(project, 'src/auth.js')], { title: 'Security audit of the repository' }),
        one('What is the capital of Canada?', SIMPLE, 'Ottawa.', [], { note: 'a new, simple task in an escalated session: decided afresh' }),
        { compact: true, answer: '<analysis>An audit and a side question.</analysis>\n<summary>The user audited the repository and asked a side question.</summary>', expected: SIMPLE, note: 'compacts after a simple task' },
      ],
    },
    {
      name: 'ui-agent',
      steps: [
        {
          prompt: 'Investigate the whole request path for performance issues; send an agent to profile the storage calls',
          expected: COMPLEX,
          answer: 'The request path does a serial map access per request; the fixes are ranked.',
          tools: [{ name: 'Agent', input: { description: 'Profile storage', prompt: 'Profile every storage call on the request path across all modules and explain where the time goes under concurrent load.', subagent_type: 'general-purpose' } }],
          agent: { expected: COMPLEX, answer: 'Storage calls are cheap; the cost is JSON serialisation and the token check.', tools: [read(project, 'src/db.js')] },
          title: 'Investigate request path performance',
        },
        one('Summarise that in one line', SIMPLE, 'Serialisation and token checks dominate; storage is cheap.', [], { note: 'a simple follow-up: it asks only to restate the answer' }),
      ],
    },
    {
      name: 'ui-ultrathink',
      steps: [
        one('ultrathink: is the chunk function correct for an empty array?', COMPLEX, 'No: it returns one empty chunk.', [read(project, 'src/util.js')], { title: 'Chunk function edge case', note: 'ultrathink escalates (in the UI)' }),
        one('How would you test that?', COMPLEX, 'A test with [] expecting [].', [], { note: 'continues the ultrathink task' }),
      ],
    },
  ];
}

export function sessions(project) {
  const { simple, complex } = firstTurns(project);
  const single = (list, expected, prefix) => list.map(([prompt, answer, tools = []], i) => ({ name: `${prefix}-${String(i + 1).padStart(2, '0')}`, mode: 'print', steps: [one(prompt, expected, answer, tools)] }));
  return [
    ...single(simple, SIMPLE, 'simple'),
    ...single(complex, COMPLEX, 'complex'),
    ...agentSessions(project).map((step, i) => ({ name: `agent-${i + 1}`, mode: 'print', steps: [step] })),
    ...printSessions(project).map((s) => ({ ...s, mode: 'print' })),
    ...uiSessions(project).map((s) => ({ ...s, mode: 'ui' })),
  ];
}
