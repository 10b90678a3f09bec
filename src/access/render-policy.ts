import type { Principal } from '../auth/index.js';
import { decideFhirAccess, type RelationFacts } from './decide.js';
import { FIELD_SETS } from './fields.js';
import { FHIR_INTERACTIONS, type FhirInteraction } from './interactions.js';
import {
  CLINICAL_TYPES,
  DIRECTORY_TYPES,
  FINANCIAL_TYPES,
  POLICY,
  ROLES,
  type Role,
} from './policy-table.js';
import { RELEASE_TAG } from './conditions.js';

const LETTER: Record<FhirInteraction, string> = {
  read: 'r',
  vread: 'v',
  history: 'h',
  search: 's',
  create: 'c',
  update: 'u',
  delete: 'd',
};

const TYPES = ['Patient', ...CLINICAL_TYPES, ...FINANCIAL_TYPES, ...DIRECTORY_TYPES, 'AuditEvent'];

/**
 * docs/access-policy.md, rendered from the policy table and the decision function themselves
 * (`npm run docs:access-policy`; a test fails when the file is stale), so the document says
 * exactly what the code does.
 */
export function renderAccessPolicy(): string {
  const out: string[] = [
    '# Access policy',
    '',
    '<!-- Generated from src/access/policy-table.ts by `npm run docs:access-policy`. Do not edit. -->',
    '',
    'Deny by default. A person may do only what a row of one of their roles grants, on the',
    'patients the row reaches. A person using an app with SMART scopes needs the scopes too;',
    'API clients (integrations) are governed by their `system/` scopes alone and never reach',
    'the audit trail without an explicit `system/AuditEvent` scope.',
    '',
    '**Reach.** `care`: the patient is on a CareTeam with the person’s Practitioner, has an',
    'Appointment with them (not cancelled, entered in error or a no-show), or the person holds an',
    'active break-glass grant for the patient (every access under it is marked as emergency in',
    'the audit trail). `lab-order`: the patient has a laboratory ServiceRequest. `self`: the',
    'person is the patient. `any`: every patient.',
    '',
    `**Released to patient.** A result or note is released when its \`meta.tag\` holds \`${RELEASE_TAG.system}|${RELEASE_TAG.code}\`.`,
    'Only a role with the release right may add or remove that tag.',
    '',
    '**Refusals.** An interaction a role never has on a type: 403. A record outside the',
    'person’s reach, or whose content the grant does not cover: 404 on reads (so a guessed or',
    'copied id does not reveal that the record exists), 403 on writes. Searches leave such',
    'records out before counting, so totals and paging links do not reveal them. Every refusal',
    'is an audit entry with outcome `denied`.',
    '',
    '## Roles',
    '',
  ];
  for (const role of ROLES) {
    const p = POLICY[role];
    out.push(`### ${role}`, '', p.summary, '');
    out.push('| Resource types | Interactions | Reach | Limits | Why |', '|---|---|---|---|---|');
    for (const r of p.fhir) {
      const limits = [
        r.fields && r.fields !== 'all' ? `fields: ${r.fields}` : '',
        r.only ? `only ${r.only}` : '',
        r.release ? 'may release to patient' : '',
      ]
        .filter(Boolean)
        .join('; ');
      out.push(
        `| ${r.types.join(', ')} | ${r.interactions.join(', ')} | ${r.reach} | ${limits || '—'} | ${r.why} |`,
      );
    }
    for (const a of p.api) out.push(`| /api: ${a.action} | — | ${a.reach} | — | ${a.why} |`);
    out.push('');
  }
  out.push('## Field sets (minimum necessary)', '');
  out.push(
    'Top-level elements a restricted role sees; `resourceType`, `id`, `meta`, `implicitRules`,',
    '`language` and `modifierExtension` are always kept. Output is labelled with the',
    '`REDACTED` security label when anything was withheld; a restricted writer may not set a',
    'withheld element, and keeps the stored ones untouched on update; searching or sorting by',
    'a withheld element is refused.',
    '',
  );
  for (const [name, fields] of Object.entries(FIELD_SETS))
    out.push(`- **${name}**: ${fields.join(', ')}`);
  out.push('', '## Authorization matrix', '');
  out.push(
    'Computed by the decision function for each role, resource type and relation to the',
    'patient. Letters: r read, v vread, h history, s search, c create, u update, d delete;',
    '`*` = only records meeting the row’s condition (released to patient / laboratory);',
    '`!` = only through a break-glass grant (emergency access). The HTTP test',
    '`test/http/access-matrix.test.ts` asserts the same allow/deny for every role, interaction',
    'and relation against a running server.',
    '',
  );
  out.push('| Role | Resource type | Own patient | Other patient | Break-glass grant |');
  out.push('|---|---|---|---|---|');
  for (const role of ROLES) {
    // Types with identical rows share one line, in table order.
    const groups = new Map<string, string[]>();
    for (const type of TYPES) {
      const cells = [OWN, OTHER, EMERGENCY].map((rel) => cell(role, type, rel)).join(' | ');
      if (/^(— \| ){2}—$/.test(cells)) continue;
      groups.set(cells, [...(groups.get(cells) ?? []), type]);
    }
    for (const [cells, types] of groups) out.push(`| ${role} | ${types.join(', ')} | ${cells} |`);
  }
  out.push('', 'Roles and types not listed: no access at all.', '');
  return out.join('\n');
}

interface Relation {
  self: boolean;
  facts: RelationFacts;
}
const OWN: Relation = { self: true, facts: { care: true, labOrder: true } };
const OTHER: Relation = { self: false, facts: { care: false, labOrder: false } };
const EMERGENCY: Relation = {
  self: false,
  facts: { care: false, labOrder: false, emergencyGrant: 'grant' },
};

function cell(role: Role, type: string, rel: Relation): string {
  const principal: Principal = {
    kind: 'user',
    id: 'u',
    label: 'user',
    roles: [role],
    scopes: [],
    patientId: 'p-own',
    practitionerId: 'pr',
    mfa: true,
  };
  const owner =
    DIRECTORY_TYPES.includes(type as never) || type === 'AuditEvent'
      ? `${type}/x`
      : rel.self
        ? 'Patient/p-own'
        : 'Patient/p-other';
  let s = '';
  let fields = 'all';
  for (const interaction of FHIR_INTERACTIONS) {
    const d = decideFhirAccess(principal, { interaction, resourceType: type, owner }, rel.facts);
    if (!d.allowed) continue;
    if (rel === EMERGENCY && d.reason !== 'break-glass') continue;
    fields = d.grant.fields;
    s +=
      LETTER[interaction] +
      (d.grant.conditions.length > 0 ? '*' : '') +
      (d.reason === 'break-glass' ? '!' : '');
  }
  if (s === '') return '—';
  return fields === 'all' ? `\`${s}\`` : `\`${s}\` (fields: ${fields})`;
}
