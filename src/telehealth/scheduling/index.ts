// Scheduling: clinicians' availability, booking, reminders (issue 16 part 1, ADR 0026).
export { SchedulingService, type SchedulingOptions } from './scheduling-service.js';
export { MAX_SLOTS_PER_REQUEST } from './availability.js';
export { ReminderSweep, type ReminderSweepOptions } from './reminder-sweep.js';
export { SchedulingError, type SchedulingErrorCode } from './errors.js';
export type { AppointmentView, SlotView } from './views.js';
export { isTimeZone, weekOf, localWallClock, localToInstant, zoneOffsetMs } from './time-zones.js';
