import { ApiProblem, get, request } from '../api';
import type { Patient, Resource } from './fhir-shapes';

export * from './fhir-shapes';

// Reads and writes to /fhir/R4. Every record lives only in the query cache (memory), never in
// the URL or browser storage.

interface Bundle<T> {
  entry?: { resource?: T }[];
}

/** A search's resources (the first page: the chart asks for large pages). */
export async function search<T extends Resource>(path: string): Promise<T[]> {
  const bundle = await get<Bundle<T>>(`/fhir/R4/${path}`);
  return (bundle.entry ?? []).map((e) => e.resource).filter((r): r is T => r !== undefined);
}

export const read = <T extends Resource>(type: string, id: string) =>
  get<T>(`/fhir/R4/${type}/${encodeURIComponent(id)}`);

export const create = <T extends Resource>(body: Omit<T, 'id'>) =>
  request<T>('POST', `/fhir/R4/${body.resourceType}`, body);

export const update = <T extends Resource>(body: T) =>
  request<T>('PUT', `/fhir/R4/${body.resourceType}/${encodeURIComponent(body.id)}`, body);

/**
 * A chart's Patient, or the server's 404 as a value: the cached answer then replaces the
 * record (a failed refetch would keep the old data in the cache beside the error).
 */
export type ChartPatient = { patient: Patient } | { denied: ApiProblem };

export async function readChartPatient(patientId: string): Promise<ChartPatient> {
  try {
    return { patient: await read<Patient>('Patient', patientId) };
  } catch (e) {
    if (e instanceof ApiProblem && e.status === 404) return { denied: e };
    throw e;
  }
}
