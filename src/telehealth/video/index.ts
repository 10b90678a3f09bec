/** Video visits (ADR 0027): rooms per Appointment, signaling, TURN credentials, visit Encounters. */
export { VisitService, VisitError, type Admission, type VisitErrorCode } from './visit-service.js';
export { SignalingHub, CLOSE, type VisitSocket } from './signaling-hub.js';
export { MAX_MESSAGE_BYTES } from './signaling-messages.js';
export { MemoryRoomStore, type RoomStore, type VisitRole } from './room-store.js';
export { RedisRoomStore } from './redis-room-store.js';
export { turnCredential, type IceServer } from './turn-credentials.js';
export { visitWindow } from './appointment-facts.js';
export {
  RecordingService,
  RecordingError,
  CHUNK_MAX_BYTES,
  type RecordingStatus,
  type FinishedRecording,
} from './recording-service.js';
