import type { SearchParamDef, ValueType } from './types.js';

/** Small constructors so that definitions read as a table of R4 SearchParameters. */

export function str(
  name: string,
  expression: string,
  paths: string[],
  valueType: 'HumanName' | 'string' = 'string',
): SearchParamDef {
  return { name, kind: 'string', expression, paths, valueType };
}

export function tok(
  name: string,
  expression: string,
  paths: string[],
  valueType: ValueType,
): SearchParamDef {
  return { name, kind: 'token', expression, paths, valueType };
}

export function telecom(
  name: string,
  expression: string,
  system?: 'phone' | 'email',
): SearchParamDef {
  const def: SearchParamDef = {
    name,
    kind: 'token',
    expression,
    paths: ['telecom'],
    valueType: 'ContactPoint',
  };
  return system === undefined ? def : { ...def, telecomSystem: system };
}

export function ref(
  name: string,
  expression: string,
  paths: string[],
  targets: string[],
): SearchParamDef {
  return { name, kind: 'reference', expression, paths, valueType: 'Reference', targets };
}

export function date(name: string, expression: string, paths: string[]): SearchParamDef {
  return { name, kind: 'date', expression, paths, valueType: 'date' };
}

/** `patient` on resources whose subject may be a Patient: `X.subject.where(resolve() is Patient)`. */
export function patientViaSubject(type: string): SearchParamDef {
  return ref('patient', `${type}.subject.where(resolve() is Patient)`, ['subject'], ['Patient']);
}

export function subject(type: string, targets: string[]): SearchParamDef {
  return ref('subject', `${type}.subject`, ['subject'], targets);
}

export function identifier(type: string, paths: string[] = ['identifier']): SearchParamDef {
  return tok('identifier', paths.map((p) => `${type}.${p}`).join(' | '), paths, 'Identifier');
}

export function status(type: string): SearchParamDef {
  return tok('status', `${type}.status`, ['status'], 'code');
}

/** Human-name parameters shared by Patient and Practitioner. */
export function personParams(type: string): SearchParamDef[] {
  return [
    str('name', `${type}.name`, ['name'], 'HumanName'),
    str('family', `${type}.name.family`, ['name.family']),
    str('given', `${type}.name.given`, ['name.given']),
    identifier(type),
    telecom('phone', `${type}.telecom.where(system='phone')`, 'phone'),
    telecom('email', `${type}.telecom.where(system='email')`, 'email'),
    telecom('telecom', `${type}.telecom`),
    tok('gender', `${type}.gender`, ['gender'], 'code'),
  ];
}
