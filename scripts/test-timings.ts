// Prints the slowest test files of a Vitest JSON report, slowest first, so CI shows where the
// suite's time goes. Usage: node --import tsx scripts/test-timings.ts REPORT.json [COUNT]
import fs from 'node:fs';
import path from 'node:path';

const [file, count = '25'] = process.argv.slice(2);
interface FileResult {
  name: string;
  startTime: number;
  endTime: number;
  status: string;
  assertionResults: unknown[];
}
if (file === undefined) throw new Error('usage: test-timings REPORT.json [COUNT]');
const report = JSON.parse(fs.readFileSync(file, 'utf8')) as { testResults: FileResult[] };
const files = report.testResults
  .map((t) => ({
    name: path.relative(process.cwd(), t.name),
    seconds: (t.endTime - t.startTime) / 1000,
    tests: t.assertionResults.length,
    status: t.status,
  }))
  .sort((a, b) => b.seconds - a.seconds);
const total = files.reduce((s, f) => s + f.seconds, 0);
console.log(`slowest test files (of ${files.length}, ${total.toFixed(0)} s in files in all):`);
for (const f of files.slice(0, Number(count))) {
  const mark = f.status === 'passed' ? '' : `  [${f.status}]`;
  console.log(
    `${f.seconds.toFixed(1).padStart(8)} s  ${String(f.tests).padStart(4)} tests  ${f.name}${mark}`,
  );
}
