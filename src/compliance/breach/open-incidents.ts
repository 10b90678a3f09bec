import crypto from 'node:crypto';
import type { Haven } from '../../app/index.js';
import { IncidentRepository } from '../../store/index.js';
import { IncidentService } from './incident-service.js';

/** The incident service over a running Haven's store, audit port and vault. */
export function openIncidents(
  h: Pick<Haven, 'database' | 'audit' | 'auditRepo' | 'records' | 'clock'>,
): IncidentService {
  return new IncidentService({
    repo: new IncidentRepository(h.database.db),
    audit: h.audit,
    auditRepo: h.auditRepo,
    patientState: async (patientId) => {
      const v = await h.records.resources.readCurrent('Patient', patientId);
      if (!v || v.deleted) return undefined;
      const patient = (await h.records.sealed.openParsed(v)) as {
        address?: { state?: unknown; use?: string }[];
      };
      const home = patient.address?.find((a) => a.use === 'home') ?? patient.address?.[0];
      return typeof home?.state === 'string' && home.state.length > 0 ? home.state : undefined;
    },
    clock: h.clock,
    newId: () => crypto.randomUUID(),
  });
}
