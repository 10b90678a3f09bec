/**
 * Telehealth: scheduling (`scheduling/`, ADR 0026: Schedule, Slot, Appointment, reminders) and
 * video visits (`video/`, ADR 0027: rooms, signaling, TURN credentials).
 */
export * from './scheduling/index.js';
export * from './video/index.js';
