import type { ComplianceReport } from './check.js';

const MARK = { pass: 'PASS', fail: 'FAIL', unknown: 'UNKNOWN' } as const;

/** Markdown: a summary line, then one section per check (evidence, and the fix unless passed). */
export function renderMarkdown(r: ComplianceReport): string {
  const lines = [
    '# Haven compliance report',
    '',
    `Generated ${r.generatedAt} (${r.engine}). ${r.summary.pass} passed, ${r.summary.fail} failed, ` +
      `${r.summary.unknown} could not be verified here.`,
    '',
    '| check | regulation | status |',
    '| --- | --- | --- |',
    ...r.checks.map((c) => `| ${c.title} (\`${c.id}\`) | ${c.regulation} | ${MARK[c.status]} |`),
    '',
  ];
  for (const c of r.checks) {
    lines.push(`## ${MARK[c.status]}: ${c.title}`, '', `- regulation: ${c.regulation}`);
    lines.push(`- evidence: ${c.evidence}`);
    if (c.status !== 'pass') lines.push(`- fix: ${c.fix}`);
    lines.push('');
  }
  return lines.join('\n');
}

const escape = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );

/** A standalone HTML page (no scripts, no external resources) an auditor can archive. */
export function renderHtml(r: ComplianceReport): string {
  const rows = r.checks
    .map(
      (c) =>
        `<tr class="${c.status}"><td>${escape(c.title)}<br><code>${escape(c.id)}</code></td>` +
        `<td>${escape(c.regulation)}</td><td><strong>${MARK[c.status]}</strong></td>` +
        `<td>${escape(c.evidence)}</td><td>${c.status === 'pass' ? '' : escape(c.fix)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Haven compliance report</title>
<style>body{font-family:sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.4rem;vertical-align:top}.fail strong{color:#a00}.pass strong{color:#060}.unknown strong{color:#750}</style>
</head><body>
<h1>Haven compliance report</h1>
<p>Generated ${escape(r.generatedAt)} (${r.engine}). ${r.summary.pass} passed, ${r.summary.fail} failed, ${r.summary.unknown} could not be verified here.</p>
<table><thead><tr><th>check</th><th>regulation</th><th>status</th><th>evidence</th><th>fix</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}

export function renderReport(r: ComplianceReport, format: 'md' | 'html' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(r, null, 2)}\n`;
  return format === 'html' ? renderHtml(r) : `${renderMarkdown(r)}\n`;
}
