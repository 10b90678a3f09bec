// Replays a synthetic month of clinic activity with injected snooping through the anomaly
// rules and writes precision and recall per rule into docs/alerts.md (npm run eval:alerts).
import fs from 'node:fs';
import { FULL_MONTH, runMonth, type MonthResult } from './alert-month.js';

const DOC = new URL('../docs/alerts.md', import.meta.url);
const START = '<!-- eval:start -->';
const END = '<!-- eval:end -->';

export function renderScores(r: MonthResult): string {
  const pct = (x: number) => x.toFixed(2);
  return [
    `Synthetic month: ${FULL_MONTH.days} days, ${FULL_MONTH.clinicians} clinicians with panels of ` +
      `${FULL_MONTH.panel} patients, ${r.normalFacts} ordinary audit entries and ` +
      `${r.facts - r.normalFacts} injected ones (${FULL_MONTH.scenariosPerRule} scenarios per rule), seed ${FULL_MONTH.seed}.`,
    '',
    '| rule | injected | detected | alerts | true positives | recall | precision |',
    '|---|---|---|---|---|---|---|',
    ...r.scores.map(
      (s) =>
        `| ${s.rule} | ${s.injected} | ${s.detected} | ${s.alerts} | ${s.truePositives} | ${pct(s.recall)} | ${pct(s.precision)} |`,
    ),
  ].join('\n');
}

const result = await runMonth(FULL_MONTH);
const table = renderScores(result);
console.log(table);
const doc = fs.readFileSync(DOC, 'utf8');
const a = doc.indexOf(START);
const b = doc.indexOf(END);
if (a < 0 || b < a) throw new Error('docs/alerts.md has no eval markers');
fs.writeFileSync(DOC, `${doc.slice(0, a + START.length)}\n${table}\n${doc.slice(b)}`);
