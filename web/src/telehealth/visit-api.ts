import { get } from '../api';

/** GET /api/visits/:id (src/http/schemas/visit.ts). */
export interface VisitInfo {
  role: 'patient' | 'clinician';
  patientId: string;
  practitionerIds: string[];
  start: string;
  end: string;
  opensAt: string;
  closesAt: string;
  room: { admitted: boolean; ended: boolean; encounterId: string | null };
  recording: boolean;
}

export interface RoomState {
  type: 'state';
  role: 'patient' | 'clinician';
  patientPresent: boolean;
  clinicianPresent: boolean;
  admitted: boolean;
  ended: boolean;
  peer: string | null;
  encounterId: string | null;
}

export const visitInfo = (id: string) => get<VisitInfo>(`/api/visits/${encodeURIComponent(id)}`);

export const iceServers = (id: string) =>
  get<{ iceServers: RTCIceServer[] }>(`/api/visits/${encodeURIComponent(id)}/ice-servers`);

export const waitingList = () =>
  get<{ waiting: { appointment: string; since: string }[] }>('/api/visits/waiting');
