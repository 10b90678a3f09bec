// The rules engine alone (docs/alerts.md, "Cost"): CPU time per audit fact for the facts the
// audited read benchmark produces (a physician reading charts of a patient on their team, every
// subject fact cached, no alert raised), fed one commit batch at a time as the group commit does.
// No database, no HTTP: what the observer adds to each audited read, measured without the noise
// of a full request. Run: node --import tsx bench/alert-engine-cpu.ts [facts] [rounds]
import {
  AlertEngine,
  DEFAULT_ALERT_SETTINGS,
  MemoryWindowCounters,
  factFromDraft,
} from '../src/alerts/index.js';
import type { AuditDraft } from '../src/audit/index.js';

const facts = Number(process.argv[2] ?? 20_000);
const rounds = Number(process.argv[3] ?? 7);
const engine = new AlertEngine({
  settings: DEFAULT_ALERT_SETTINGS,
  counters: new MemoryWindowCounters(),
  // A warm cache, as alertSubjects answers once a pair has been seen.
  subjects: {
    isSelf: () => false,
    isVip: () => false,
    sharesSurname: () => false,
    hasCareRelation: () => true,
  },
  addressRef: (ip) => ip,
  store: {
    record: () => Promise.reject(new Error('the benchmark raises no alert')),
  },
  newId: () => 'x',
  deliver: () => undefined,
  onError: (code) => {
    throw new Error(code);
  },
});
const start = Date.parse('2031-05-06T07:00:00.000Z');
const draft = (i: number): AuditDraft => ({
  action: 'read',
  outcome: 'success',
  actorType: 'user',
  actorId: 'user-physician',
  resourceType: 'Observation',
  patientId: 'patient-own',
  ip: '127.0.0.1',
  requestId: `req-${i}`,
  detail: { resourceType: 'Observation' },
});
const perFact: number[] = [];
for (let r = 0; r <= rounds; r++) {
  const used = process.cpuUsage();
  for (let i = 0; i < facts; i++) {
    // One fact per commit batch, as sequential reads produce; 10 ms apart.
    engine.observe([factFromDraft(draft(i), new Date(start + (r * facts + i) * 10).toISOString())]);
    if (i % 100 === 99) await engine.idle();
  }
  await engine.idle();
  const d = process.cpuUsage(used);
  if (r > 0) perFact.push((d.user + d.system) / facts); // round 0 warms up
}
perFact.sort((a, b) => a - b);
console.log(
  `alert engine: ${facts} facts x ${rounds} rounds; CPU per fact median ${perFact[Math.floor(rounds / 2)]!.toFixed(1)} µs ` +
    `(min ${perFact[0]!.toFixed(1)}, max ${perFact[rounds - 1]!.toFixed(1)})`,
);
