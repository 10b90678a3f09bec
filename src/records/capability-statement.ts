import { ALLOWED_BINARY_TYPES } from './binary.js';
import { MODIFIERS_BY_KIND, searchParameters, searchableResourceTypes } from './search/index.js';

/** The FHIR Bulk Data Access IG (v2), whose `$export` this server offers (ADR 0036). */
const BULK = 'http://hl7.org/fhir/uv/bulkdata';

/** AuditEvent search parameters, as src/audit/audit-query.ts accepts them. */
export const AUDIT_SEARCH_PARAMS: ReadonlyArray<[string, string]> = [
  ['patient', 'reference'],
  ['agent', 'reference'],
  ['date', 'date'],
  ['subtype', 'token'],
  ['outcome', 'token'],
];

/**
 * The server's CapabilityStatement, built from the same tables the server runs on: each type's
 * search parameters are the ones the registry compiled from the R4 definitions (ADR 0021).
 */
export function capabilityStatement(
  base: string,
  software: { name: string; version: string },
): Record<string, unknown> {
  const resource = [...new Set([...searchableResourceTypes, 'Binary'])].sort().map((type) => ({
    type,
    interaction: [
      'read',
      'vread',
      'update',
      'patch',
      'delete',
      'history-instance',
      'create',
      ...(type === 'Binary' ? [] : ['search-type']),
    ].map((code) => ({ code })),
    ...(type === 'Patient'
      ? {
          // Patient/{id}/{type} searches the patient compartment; Patient/{id}/* is $everything.
          compartment: ['http://hl7.org/fhir/CompartmentDefinition/patient'],
          operation: [
            {
              name: 'everything',
              definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
            },
            { name: 'export', definition: `${BULK}/OperationDefinition/patient-export` },
          ],
        }
      : type === 'Group'
        ? {
            // A Group of patients (member.entity) exports its members' records (ADR 0036).
            operation: [{ name: 'export', definition: `${BULK}/OperationDefinition/group-export` }],
          }
        : {}),
    versioning: 'versioned-update',
    readHistory: true,
    updateCreate: true,
    // If-None-Exist on create, and ifNoneExist on a transaction's POST entries; PUT and
    // DELETE Type?criteria (conditional-write.ts). One at a time across processes (a lease).
    conditionalCreate: true,
    conditionalUpdate: true,
    conditionalDelete: 'single',
    ...(type === 'Binary'
      ? { documentation: `Attachments: ${ALLOWED_BINARY_TYPES.join(', ')}` }
      : {}),
    searchParam: Object.values(searchParameters()[type] ?? {}).map((p) => ({
      name: p.name,
      type: p.kind,
      ...(p.definition === undefined ? {} : { definition: p.definition }),
    })),
  }));
  // The audit trail, as read-only AuditEvent views (src/audit/views): its own search over the
  // id-only audit columns (src/audit/audit-query.ts), for auditors and AuditEvent scopes only.
  resource.push({
    type: 'AuditEvent',
    interaction: [{ code: 'read' }, { code: 'search-type' }],
    versioning: 'no-version',
    readHistory: false,
    updateCreate: false,
    conditionalCreate: false,
    conditionalUpdate: false,
    conditionalDelete: 'not-supported',
    documentation:
      'The audit trail, read-only. Only auditors and AuditEvent scopes (no wildcard reaches it).',
    searchParam: AUDIT_SEARCH_PARAMS.map(([name, type]) => ({ name, type })),
  } as (typeof resource)[number]);
  resource.sort((a, b) => a.type.localeCompare(b.type));
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-11-23',
    kind: 'instance',
    software,
    implementation: { description: 'Haven FHIR R4 server', url: base },
    fhirVersion: '4.0.1',
    instantiates: [`${BULK}/CapabilityStatement/bulk-data`],
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        security: {
          // Cross-origin calls are answered for registered SMART apps' origins only (ADR 0035).
          cors: true,
          extension: [
            {
              url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
              extension: [
                { url: 'authorize', valueUri: `${origin(base)}/oauth2/authorize` },
                { url: 'token', valueUri: `${origin(base)}/oauth2/token` },
                { url: 'introspect', valueUri: `${origin(base)}/oauth2/introspect` },
                { url: 'revoke', valueUri: `${origin(base)}/oauth2/revoke` },
              ],
            },
          ],
          service: [
            {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/restful-security-service',
                  code: 'SMART-on-FHIR',
                },
              ],
            },
          ],
          description:
            'SMART App Launch 2.x (authorization code with PKCE S256, patient/ and user/ scopes v2, see /.well-known/smart-configuration) and bearer tokens of scoped API clients (system/ scopes).',
        },
        // One note per parameter kind (not per parameter: the statement stays small).
        documentation: ['string', 'token', 'reference', 'date', 'number', 'quantity', 'uri']
          .map((kind) => `Search parameters of type ${kind}: ${searchDocumentation(kind)}`)
          .join('\n'),
        resource,
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
        // Async kick-off (Prefer: respond-async) with _type, _since and _outputFormat (ndjson).
        operation: [{ name: 'export', definition: `${BULK}/OperationDefinition/export` }],
      },
    ],
  };
}

/**
 * What a search parameter of this kind accepts, from the parser's own modifier table, and what
 * encryption rules out: values are found through blind indexes of normalized terms (ADR 0003),
 * so a substring (`:contains`) or a terminology modifier cannot be matched without decrypting
 * every record; those are refused (400), never ignored.
 */
export function searchDocumentation(kind: string): string {
  const modifiers = [...(MODIFIERS_BY_KIND[kind] ?? [])].map((m) => `:${m}`).join(', ');
  const how: Record<string, string> = {
    string: 'Matches a normalized prefix (case and accents folded) by default',
    token: 'Matches system|code exactly',
  };
  const limit: Record<string, string> = {
    string:
      ' :contains and :text are not offered: values are searched through blind indexes of normalized prefixes.',
    token:
      ' :text, :in, :not-in, :above, :below and :of-type are not offered: codes are blind-indexed, not expanded.',
  };
  return `${how[kind] ?? 'Matches as FHIR R4 defines'}. Modifiers: ${modifiers || 'none'}.${limit[kind] ?? ''}`;
}

/** The server's origin, from the FHIR base URL (https://host:port/fhir/R4). */
function origin(base: string): string {
  try {
    return new URL(base).origin;
  } catch {
    return base.replace(/\/fhir\/R4\/?$/, '');
  }
}
