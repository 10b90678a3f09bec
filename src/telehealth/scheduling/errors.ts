/** Scheduling's refusals, each a fixed text with a code (no ids, times or names in it). */
export type SchedulingErrorCode =
  | 'slot-taken'
  | 'slot-past'
  | 'slot-overlap'
  | 'not-booked'
  | 'appointment-past'
  | 'same-slot'
  | 'not-your-schedule'
  | 'not-a-patient'
  | 'no-schedule';

const TEXT: Record<SchedulingErrorCode, [number, string]> = {
  'slot-taken': [409, 'the slot is already booked'],
  'slot-past': [409, 'the slot has already begun'],
  'slot-overlap': [409, 'the slot overlaps a slot already published'],
  'not-booked': [409, 'only a booked appointment can be changed'],
  'appointment-past': [409, 'the appointment has already begun'],
  'same-slot': [409, 'the appointment is already in that slot'],
  'not-your-schedule': [403, 'a clinician may publish only their own availability'],
  'not-a-patient': [403, 'only a patient has appointments of their own'],
  'no-schedule': [400, 'the slot belongs to no practitioner schedule'],
};

export class SchedulingError extends Error {
  readonly status: number;
  constructor(readonly code: SchedulingErrorCode) {
    super(TEXT[code][1]);
    this.status = TEXT[code][0];
  }
}
