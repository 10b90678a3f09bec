import { codeOf, conceptText, type Observation } from './fhir-shapes.js';
import { LOINC } from './vitals.js';

export interface Series {
  key: string;
  label: string;
  unit: string;
  category: 'vital-signs' | 'laboratory' | 'other';
  points: { at: string; value: number }[];
}

/** Preferred first when the chart opens: the vitals a clinician looks at most. */
const PREFERRED = ['8480-6', '8867-4', '29463-7', '39156-5', '8302-2'];

/**
 * Numeric series per LOINC code (or text) from a patient's Observations, oldest first. A panel
 * (blood pressure 85354-9 / 55284-4) contributes each component as its own series, so the
 * systolic values of Synthea's panels and of single recorded readings line up.
 */
export function seriesOf(observations: readonly Observation[]): Series[] {
  const byKey = new Map<string, Series>();
  const add = (
    code: Observation['code'],
    category: Series['category'],
    at: string | undefined,
    value: number | undefined,
    unit: string | undefined,
  ) => {
    if (at === undefined || value === undefined || !Number.isFinite(value)) return;
    const key = codeOf(code, LOINC) ?? conceptText(code);
    let s = byKey.get(key);
    if (!s) {
      s = { key, label: conceptText(code), unit: unit ?? '', category, points: [] };
      byKey.set(key, s);
    }
    s.points.push({ at, value });
  };
  for (const o of observations) {
    if (o.status === 'entered-in-error') continue;
    const cats = (o.category ?? []).flatMap((c) => c.coding ?? []).map((c) => c.code);
    const category = cats.includes('vital-signs')
      ? 'vital-signs'
      : cats.includes('laboratory')
        ? 'laboratory'
        : 'other';
    const q = o.valueQuantity;
    add(o.code, category, o.effectiveDateTime, q?.value, q?.unit ?? q?.code);
    for (const c of o.component ?? []) {
      const cq = c.valueQuantity;
      add(c.code, category, o.effectiveDateTime, cq?.value, cq?.unit ?? cq?.code);
    }
  }
  const all = [...byKey.values()].filter((s) => s.category !== 'other');
  for (const s of all) s.points.sort((a, b) => a.at.localeCompare(b.at));
  return all.sort((a, b) => rank(a) - rank(b) || a.label.localeCompare(b.label));
}

function rank(s: Series): number {
  const i = PREFERRED.indexOf(s.key);
  if (i >= 0) return i;
  return s.category === 'vital-signs' ? 10 : 20;
}
