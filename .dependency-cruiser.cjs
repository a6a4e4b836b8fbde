/**
 * Architecture rules (STYLE.md habit 14), checked by `npm test`:
 * the domain is pure, use cases don't know adapters, protocol/ stands alone,
 * and the simulator speaks only the protocol (never the gateway's internals).
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain imports nothing with I/O: no adapters, no app, no node I/O modules, no libraries.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: {
        pathNot: ['^src/domain/', '^protocol/'],
      },
    },
    {
      name: 'domain-no-node-io',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'app-knows-no-adapters',
      comment: 'Use cases depend on ports, never on fastify, aedes, sqlite, pino or the adapters.',
      severity: 'error',
      from: { path: '^src/app/' },
      to: {
        path: ['^src/adapters/', '^src/(main|gateway|cli|config|logger|keys)\\.ts$', 'node_modules/(fastify|aedes|better-sqlite3|pino|mqtt|node-cron|ws|prom-client)'],
      },
    },
    {
      name: 'protocol-stands-alone',
      severity: 'error',
      from: { path: '^protocol/' },
      to: { path: ['^src/', '^device-sim/'] },
    },
    {
      name: 'sim-speaks-only-protocol',
      severity: 'error',
      from: { path: '^device-sim/' },
      to: { path: '^src/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
