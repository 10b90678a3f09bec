import { describe, expect, it } from 'vitest';
import { parseSearchRequest, SearchRequestError } from '../../../src/records/search/index.js';

/** A value that stands for PHI: it must never come back in an error message. */
const PHI = 'Zyxwvut-1987';

function errorOf(type: string, query: Array<[string, string]>): SearchRequestError {
  try {
    parseSearchRequest(type, query);
  } catch (e) {
    expect(e).toBeInstanceOf(SearchRequestError);
    return e as SearchRequestError;
  }
  throw new Error('expected a SearchRequestError');
}

describe('parseSearchRequest: refusals', () => {
  it.each([
    // A name the server does not define for the type is never repeated (issue 23); of a defined
    // parameter with an unknown modifier, only the defined part is.
    ['unknown parameter', 'Patient', [['shoe-size', PHI]], 'unknown-parameter', undefined],
    ['parameter of another type', 'Patient', [['code', PHI]], 'unknown-parameter', undefined],
    ['unknown modifier', 'Patient', [['family:sounds-like', PHI]], 'unknown-parameter', 'family'],
    ['data as a modifier', 'Patient', [[`family:${PHI}`, 'x']], 'unknown-parameter', 'family'],
    [
      'data as a type modifier',
      'Observation',
      [['subject:Zyxwvut', 'x']],
      'invalid-value',
      'subject',
    ],
    [':contains', 'Patient', [['name:contains', PHI]], 'unsupported', 'name:contains'],
    [':text on a token', 'Observation', [['code:text', PHI]], 'unsupported', 'code:text'],
    [':exact on a token', 'Observation', [['code:exact', PHI]], 'unsupported', 'code:exact'],
    [':above', 'Observation', [['code:above', PHI]], 'unsupported', 'code:above'],
    ['_include', 'Observation', [['_include', `Observation:${PHI}`]], 'unsupported', '_include'],
    ['_revinclude', 'Patient', [['_revinclude', PHI]], 'unsupported', '_revinclude'],
    ['_elements', 'Patient', [['_elements', PHI]], 'unsupported', '_elements'],
    ['_has', 'Patient', [[`_has:Observation:patient:code`, PHI]], 'unsupported', '_has'],
    ['chained parameter', 'Observation', [['subject.name', PHI]], 'unsupported', undefined],
    [
      'chain after a type',
      'Observation',
      [['subject:Patient.name', PHI]],
      'unsupported',
      'subject',
    ],
    ['bad date', 'Patient', [['birthdate', '1987-13-01']], 'invalid-value', 'birthdate'],
    ['bad day', 'Patient', [['birthdate', '1987-02-29']], 'invalid-value', 'birthdate'],
    ['bad time', 'Observation', [['date', '2020-01-01T25:00:00Z']], 'invalid-value', 'date'],
    ['bad offset', 'Observation', [['date', '2020-01-01T10:00:00+15:00']], 'invalid-value', 'date'],
    ['bad date text', 'Patient', [['birthdate', PHI]], 'invalid-value', 'birthdate'],
    ['bad prefix', 'Patient', [['birthdate', 'xx1987']], 'invalid-value', 'birthdate'],
    ['upper-case prefix', 'Patient', [['birthdate', 'GT1987']], 'invalid-value', 'birthdate'],
    ['empty value', 'Patient', [['family', '']], 'invalid-value', 'family'],
    ['empty OR value', 'Patient', [['family', `${PHI},`]], 'invalid-value', 'family'],
    ['whitespace-only string', 'Patient', [['family', '   ']], 'invalid-value', 'family'],
    [
      'two pipes in a token',
      'Patient',
      [['identifier', `a|b|${PHI}`]],
      'invalid-value',
      'identifier',
    ],
    ['bare pipe token', 'Patient', [['identifier', '|']], 'invalid-value', 'identifier'],
    [
      'missing not boolean',
      'Patient',
      [['family:missing', PHI]],
      'invalid-value',
      'family:missing',
    ],
    ['_count not a number', 'Patient', [['_count', PHI]], 'invalid-value', '_count'],
    ['negative _offset', 'Patient', [['_offset', '-1']], 'invalid-value', '_offset'],
    ['bad _total', 'Patient', [['_total', PHI]], 'invalid-value', '_total'],
    ['_summary=true', 'Patient', [['_summary', 'true']], 'unsupported', '_summary'],
    [
      'repeated _count',
      'Patient',
      [
        ['_count', '5'],
        ['_count', '6'],
      ],
      'invalid-value',
      '_count',
    ],
    ['_sort on unknown parameter', 'Patient', [['_sort', PHI]], 'unknown-parameter', '_sort'],
    ['_sort empty key', 'Patient', [['_sort', 'birthdate,']], 'invalid-value', '_sort'],
    ['unknown resource type', 'Spaceship', [], 'unsupported', undefined],
  ] as Array<[string, string, Array<[string, string]>, string, string | undefined]>)(
    '%s',
    (_label, type, query, code, parameter) => {
      const e = errorOf(type, query);
      expect(e.code).toBe(code);
      expect(e.parameter).toBe(parameter);
      if (parameter !== undefined) expect(e.message).toContain(`'${parameter}'`);
      for (const [name, value] of query) {
        if (value.length > 2) expect(e.message).not.toContain(value);
        if (parameter !== name) expect(e.message).not.toContain(name);
      }
      expect(e.message).not.toContain('Zyxwvut');
      expect(e.message).not.toContain(PHI);
      expect(e.message.toLowerCase()).not.toContain(PHI.toLowerCase());
    },
  );

  it('does not repeat a parameter name that could itself carry data', () => {
    const e = errorOf('Patient', [[`${PHI} <script>`, '1']]);
    expect(e.code).toBe('unknown-parameter');
    expect(e.parameter).toBeUndefined();
    expect(e.message).not.toContain(PHI);
  });

  it('prototype names are not parameters or types', () => {
    expect(errorOf('Patient', [['constructor', 'x']]).code).toBe('unknown-parameter');
    expect(errorOf('Patient', [['__proto__', 'x']]).code).toBe('unknown-parameter');
    expect(errorOf('constructor', []).code).toBe('unsupported');
  });
});

describe('parseSearchRequest: accepted requests', () => {
  it('defaults and result parameters', () => {
    const req = parseSearchRequest('Patient', []);
    expect(req).toEqual({
      resourceType: 'Patient',
      criteria: [],
      sort: [],
      count: 20,
      offset: 0,
      summaryCount: false,
    });
    const paged = parseSearchRequest('Patient', [
      ['_count', '5000'],
      ['_offset', '40'],
      ['_total', 'accurate'],
      ['_summary', 'count'],
      ['_format', 'json'],
      ['_sort', '-birthdate,family,_id'],
    ]);
    expect(paged.count).toBe(1000);
    expect(paged.offset).toBe(40);
    expect(paged.total).toBe('accurate');
    expect(paged.summaryCount).toBe(true);
    expect(paged.sort).toEqual([
      { param: 'birthdate', descending: true },
      { param: 'family', descending: false },
      { param: '_id', descending: false },
    ]);
    expect(parseSearchRequest('Patient', [['_count', '0']]).count).toBe(0);
  });

  it('commas OR, repetition ANDs, escapes are literal', () => {
    const req = parseSearchRequest('Patient', [
      ['family', 'Ab\\,c,De'],
      ['family', 'x'],
      ['identifier', 'urn:sys|a\\|b'],
      ['identifier', 'urn:sys|'],
      ['identifier', '|c'],
      ['birthdate', 'ge1980,lt1950-06'],
    ]);
    expect(req.criteria).toEqual([
      { kind: 'string', param: 'family', exact: false, values: ['ab,c', 'de'] },
      { kind: 'string', param: 'family', exact: false, values: ['x'] },
      {
        kind: 'token',
        param: 'identifier',
        negate: false,
        values: [{ system: 'urn:sys', code: 'a|b' }],
      },
      { kind: 'token', param: 'identifier', negate: false, values: [{ system: 'urn:sys' }] },
      { kind: 'token', param: 'identifier', negate: false, values: [{ system: '', code: 'c' }] },
      {
        kind: 'date',
        param: 'birthdate',
        values: [
          { prefix: 'ge', lo: Date.UTC(1980, 0, 1), hi: Date.UTC(1981, 0, 1) },
          { prefix: 'lt', lo: Date.UTC(1950, 5, 1), hi: Date.UTC(1950, 6, 1) },
        ],
      },
    ]);
  });

  it('reference values expand a bare id over the parameter targets', () => {
    const req = parseSearchRequest('Encounter', [['participant', 'abc']]);
    expect(req.criteria).toEqual([
      {
        kind: 'reference',
        param: 'participant',
        values: ['Practitioner/abc', 'PractitionerRole/abc', 'RelatedPerson/abc'],
      },
    ]);
  });

  it('every supported resource type parses _id and _lastUpdated', () => {
    for (const type of ['Patient', 'Binary', 'Observation', 'ExplanationOfBenefit']) {
      expect(
        parseSearchRequest(type, [
          ['_id', 'a'],
          ['_lastUpdated', 'gt2024'],
        ]).criteria,
      ).toHaveLength(2);
    }
  });
});
