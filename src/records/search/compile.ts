import { tryGetDataType } from '@medplum/core';
import type { ParamKind, SearchParamDef, ValueSource, ValueType } from './types.js';

/** The fields of an R4 SearchParameter resource the registry reads. */
export interface SearchParameterResource {
  readonly url?: string;
  readonly code: string;
  readonly type: string;
  readonly base: readonly string[];
  readonly expression?: string;
  readonly target?: readonly string[];
}

export type Compiled =
  | { readonly ok: true; readonly def: SearchParamDef }
  | { readonly ok: false; readonly name: string; readonly reason: string };

const KINDS: ReadonlySet<string> = new Set<ParamKind>([
  'string',
  'token',
  'reference',
  'date',
  'number',
  'quantity',
  'uri',
]);

/**
 * Compiles one SearchParameter for one resource type into element paths Haven evaluates (the
 * index and the exact matcher share them). Only the FHIRPath shapes the R4 definitions use for
 * plain navigation are compiled: `A.b.c`, `|` unions, `(A.b as T)`, `.as(T)`, `.ofType(T)`,
 * `.where(resolve() is T)` and `.where(system='x')`. Anything else (`exists()`, `extension(…)`,
 * other `where`s) makes the parameter known but unsupported: evaluating part of an expression
 * would silently miss matches.
 */
export function compileSearchParameter(sp: SearchParameterResource, type: string): Compiled {
  const refuse = (reason: string): Compiled => ({ ok: false, name: sp.code, reason });
  if (!KINDS.has(sp.type)) return refuse(`${sp.type} parameters are not supported`);
  if (sp.expression === undefined) return refuse('the parameter has no expression');
  const kind = sp.type as ParamKind;
  const sources: ValueSource[] = [];
  for (const alternative of splitUnion(sp.expression)) {
    const steps = parseSteps(alternative);
    if (steps === undefined) return refuse('its expression is not one Haven evaluates');
    const root = steps[0];
    // Shared parameters list every base's path; keep this type's (and Resource's).
    if (root?.kind !== 'name') return refuse('its expression is not one Haven evaluates');
    if (root.name !== type && root.name !== 'Resource' && root.name !== 'DomainResource') continue;
    const reached = resolve(type, steps.slice(1));
    if (reached === undefined) return refuse('its expression is not one Haven evaluates');
    for (const r of reached) {
      const valueType = valueTypeFor(kind, r.typeCode);
      // Element types a parameter type cannot read (a Timing for a date, SampledData for a
      // quantity) are skipped, as R4 servers do; the other choices are still read.
      if (valueType === undefined) continue;
      sources.push({
        path: r.path.join('.'),
        valueType,
        ...(r.telecomSystem === undefined ? {} : { telecomSystem: r.telecomSystem }),
        ...(r.targets === undefined ? {} : { targets: r.targets }),
      });
    }
  }
  if (sources.length === 0) return refuse('no element of it is one Haven indexes');
  return {
    ok: true,
    def: {
      name: sp.code,
      kind,
      expression: sp.expression,
      paths: [...new Set(sources.map((s) => s.path))],
      ...(sp.url === undefined ? {} : { definition: sp.url }),
      sources,
      ...(kind === 'reference' ? { targets: [...(sp.target ?? [])] } : {}),
    },
  };
}

/** Splits at top-level `|` (outside parentheses and quotes). */
function splitUnion(expression: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const ch = expression[i];
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    else if (!quoted && depth === 0 && ch === '|') {
      out.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(expression.slice(start).trim());
  return out;
}

type Step =
  | { kind: 'name'; name: string }
  | { kind: 'as'; type: string }
  | { kind: 'resolve-is'; type: string }
  | { kind: 'system-is'; system: string };

const NAME = /^[A-Za-z][A-Za-z0-9]*$/;
const AS_FUNCTION = /^(?:as|ofType)\(([A-Za-z][A-Za-z0-9]*)\)$/;
const RESOLVE_IS = /^where\(resolve\(\) is ([A-Z][A-Za-z]*)\)$/;
const SYSTEM_IS = /^where\(system\s*=\s*'([a-z]+)'\)$/;
const PARENTHESIZED_AS = /^\((.+) as ([A-Za-z][A-Za-z0-9]*)\)(\..+)?$/;
const TRAILING_AS = /^([^()]+) as ([A-Za-z][A-Za-z0-9]*)$/;

/** `A.b.where(…).c` as steps, or undefined for an expression outside the compiled subset. */
function parseSteps(alternative: string): Step[] | undefined {
  let text = alternative.trim();
  const parenthesized = PARENTHESIZED_AS.exec(text);
  if (parenthesized !== null)
    text = `${parenthesized[1]}.as(${parenthesized[2]})${parenthesized[3] ?? ''}`;
  else {
    const trailing = TRAILING_AS.exec(text);
    if (trailing !== null) text = `${trailing[1]}.as(${trailing[2]})`;
  }
  const steps: Step[] = [];
  for (const part of splitDots(text)) {
    let m: RegExpExecArray | null;
    if (NAME.test(part)) steps.push({ kind: 'name', name: part });
    else if ((m = AS_FUNCTION.exec(part)) !== null) steps.push({ kind: 'as', type: m[1]! });
    else if ((m = RESOLVE_IS.exec(part)) !== null) steps.push({ kind: 'resolve-is', type: m[1]! });
    else if ((m = SYSTEM_IS.exec(part)) !== null) steps.push({ kind: 'system-is', system: m[1]! });
    else return undefined;
  }
  return steps;
}

function splitDots(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === '.' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

interface Reached {
  path: string[];
  typeCode: string;
  telecomSystem?: string;
  targets?: string[];
}

/** Walks the steps over the R4 StructureDefinitions; undefined when a step names no element. */
function resolve(type: string, steps: readonly Step[]): Reached[] | undefined {
  let reached: Reached[] = [{ path: [], typeCode: type }];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (step.kind === 'name') {
      const next = steps[i + 1];
      const only = next?.kind === 'as' ? next.type : undefined;
      const out: Reached[] = [];
      for (const r of reached) {
        const found = child(r, step.name, only);
        if (found === undefined) return undefined;
        out.push(...found);
      }
      if (only !== undefined) i++;
      reached = out;
    } else if (step.kind === 'as') {
      reached = reached.filter((r) => r.typeCode === step.type);
    } else if (step.kind === 'resolve-is') {
      if (!reached.every((r) => r.typeCode === 'Reference')) return undefined;
      reached = reached.map((r) => ({ ...r, targets: [step.type] }));
    } else {
      if (!reached.every((r) => r.typeCode === 'ContactPoint')) return undefined;
      reached = reached.map((r) => ({ ...r, telecomSystem: step.system }));
    }
  }
  return reached;
}

/** The element `name` of r's type: one entry per type of a choice (`value[x]`), or `only`. */
function child(r: Reached, name: string, only: string | undefined): Reached[] | undefined {
  const schema = tryGetDataType(r.typeCode);
  if (schema === undefined) return undefined;
  const plain = schema.elements[name];
  if (plain !== undefined) {
    const codes = plain.type.map((t) => typeCode(t.code));
    return codes
      .filter((c) => only === undefined || c === only)
      .map((c) => ({ ...r, path: [...r.path, name], typeCode: c }));
  }
  const choice = schema.elements[`${name}[x]`];
  if (choice === undefined) return undefined;
  return choice.type
    .map((t) => typeCode(t.code))
    .filter((c) => only === undefined || c === only)
    .map((c) => ({
      ...r,
      path: [...r.path, name + c[0]!.toUpperCase() + c.slice(1)],
      typeCode: c,
    }));
}

/** FHIRPath system types (on `id`, `extension.url`…) as their FHIR primitive. */
function typeCode(code: string): string {
  return code.startsWith('http://hl7.org/fhirpath/System.') ? 'string' : code;
}

const QUANTITIES = new Set(['Quantity', 'Age', 'Duration', 'Distance', 'Count', 'SimpleQuantity']);
const NUMBERS = new Set(['integer', 'decimal', 'positiveInt', 'unsignedInt', 'integer64']);
const URIS = new Set(['uri', 'url', 'canonical', 'oid', 'uuid']);
const TOKEN_PRIMITIVES = new Set(['code', 'string', 'id', 'boolean', 'uri', 'url', 'canonical']);
const DATES = new Set(['date', 'dateTime', 'instant', 'Period']);
const STRINGS = new Set(['string', 'markdown']);

/** How a parameter type reads an element type; undefined = not readable by that type. */
function valueTypeFor(kind: ParamKind, code: string): ValueType | undefined {
  switch (kind) {
    case 'string':
      if (code === 'HumanName' || code === 'Address') return code;
      return STRINGS.has(code) ? 'string' : undefined;
    case 'token':
      if (['CodeableConcept', 'Coding', 'Identifier', 'ContactPoint'].includes(code))
        return code as ValueType;
      return TOKEN_PRIMITIVES.has(code) ? 'code' : undefined;
    case 'reference':
      return code === 'Reference' ? 'Reference' : undefined;
    case 'date':
      return DATES.has(code) ? 'date' : undefined;
    case 'number':
      return NUMBERS.has(code) ? 'number' : undefined;
    case 'quantity':
      return QUANTITIES.has(code) ? 'Quantity' : undefined;
    case 'uri':
      return URIS.has(code) ? 'uri' : undefined;
  }
}
