import type { Generated } from 'kysely';

/**
 * The database schema as types, so a wrong column name is a compile error.
 * No column holds PHI in plaintext: resource bodies are sealed by the vault, searchable values
 * are HMAC blind-index tokens, and audit entries carry ids only.
 */
export interface ResourceVersionTable {
  resource_type: string;
  id: string;
  version: number;
  /** Record owner whose data key seals this version, e.g. 'Patient/<id>' (a pseudonymous id). */
  owner: string;
  last_updated: string;
  /** 1 for a deletion marker (FHIR history keeps deleted versions). */
  deleted: number;
  body: Buffer;
}

export interface ResourceHeadTable {
  resource_type: string;
  id: string;
  version: number;
  owner: string;
  last_updated: string;
  deleted: number;
}

export interface SearchTokenTable {
  resource_type: string;
  id: string;
  token: Buffer;
}

/** One row per index (`resources`): the registry version its tokens were built with. */
export interface SearchIndexStateTable {
  name: string;
  version: string;
  built_at: string;
}

export interface DataKeyTable {
  owner: string;
  version: number;
  kek_id: string;
  wrapped: Buffer;
  reserved: number;
  destroyed: number;
  created_at: string;
}

export interface SystemKeyTable {
  purpose: string;
  kek_id: string;
  wrapped: Buffer;
  created_at: string;
}

export interface ApiClientTable {
  id: string;
  name: string;
  token_hash: Buffer;
  scopes: string;
  created_at: string;
  revoked_at: string | null;
  /** Set for an app token that acts for a person; null for an integration. */
  user_id: string | null;
}

export interface AuditEntryTable {
  seq: number;
  at: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  resource_type: string | null;
  resource_id: string | null;
  resource_version: number | null;
  patient_id: string | null;
  outcome: string;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  reason: string | null;
  detail: string | null;
  leaf_hash: Buffer;
}

export interface AuditHeadTable {
  id: number;
  size: number;
  frontier: Buffer;
  checkpoint_size: number;
  checkpoint_at: string;
}

export interface AuditCheckpointTable {
  size: number;
  root_hash: Buffer;
  note: string;
  created_at: string;
}

export interface AuditArchiveTable {
  /** Entries with seq below this were archived (exported, signed) and may be removed. */
  up_to_seq: number;
  /** Merkle frontier at up_to_seq: verification resumes from here. */
  frontier: Buffer;
  /** Signed note over (origin, up_to_seq, root at up_to_seq). */
  note: string;
  created_at: string;
}

export interface UserTable {
  id: string;
  /** HMAC blind index of the normalized email: the only way to find a user by email. */
  email_index: Buffer;
  email_sealed: Buffer;
  name_sealed: Buffer | null;
  /** Space-separated roles: admin physician nurse lab_assistant scheduler patient auditor. */
  roles: string;
  patient_id: string | null;
  practitioner_id: string | null;
  /** argon2id PHC string; null until the person has enrolled. */
  password_hash: string | null;
  password_changed_at: string | null;
  totp_secret_sealed: Buffer | null;
  /** Last accepted TOTP time step: a code from that step or earlier is refused (replay). */
  totp_last_step: number | null;
  totp_confirmed_at: string | null;
  /** JSON array of recovery-code hashes still unused. */
  recovery_hashes: string | null;
  failed_attempts: number;
  locked_until: string | null;
  disabled_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebauthnCredentialTable {
  id: string;
  user_id: string;
  public_key: Buffer;
  counter: number;
  transports: string | null;
  created_at: string;
  last_used_at: string | null;
}

export interface InvitationTable {
  token_hash: Buffer;
  user_id: string;
  /** 'enroll' (staff set their first password) or 'register' (a patient invited by the clinic). */
  purpose: string;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface SessionTable {
  /** SHA-256 of the session id: a database dump holds no usable session. */
  id_hash: Buffer;
  user_id: string;
  created_at: string;
  last_seen_at: string;
  /** Absolute end of the session, whatever its activity. */
  expires_at: string;
  mfa_at: string | null;
  reauth_at: string | null;
  csrf_hash: Buffer;
  ip: string | null;
  user_agent: string | null;
}

/** A pending account change under the two-person rule; see migration 0004. */
export interface AdminApprovalTable {
  id: string;
  kind: string;
  subject_id: string;
  payload_sealed: Buffer;
  requested_by: string;
  requested_at: string;
  expires_at: string;
  decided_by: string | null;
  decided_at: string | null;
}

/** One secure message's place in its thread (migration 0008, ADR 0028); the text is sealed elsewhere. */
export interface MessageTable {
  id: string;
  thread_id: string;
  seq: number;
  patient_key: Buffer;
  sender_id: string;
  sent_at: string;
}

/** Who has read which message, and when: ids and a time only. */
export interface MessageReceiptTable {
  message_id: string;
  reader_id: string;
  read_at: string;
}

/** Which side of a visit room consents to recording now (migration 0012, ADR 0034). */
export interface VisitRecordingConsentTable {
  room: string;
  role: string;
  consent_id: string;
  given_at: string;
}

/** A visit recording: its state and counters; no PHI (migration 0012). */
export interface VisitRecordingTable {
  id: string;
  room: string;
  status: string;
  next_seq: number;
  bytes: number;
  started_by: string;
  started_at: string;
  stopped_at: string | null;
  binary_id: string | null;
  document_id: string | null;
}

/** One uploaded chunk, sealed under the patient's data key until the recording is finalized. */
export interface VisitRecordingChunkTable {
  recording_id: string;
  seq: number;
  body: Buffer;
}

export interface LoginThrottleTable {
  /** 'account:<email index hex>' or 'ip:<address>'. */
  key: string;
  failures: number;
  first_failure_at: string;
  locked_until: string | null;
}

/**
 * A derived link between a practitioner (or the lab) and a patient; see migrations 0003, 0004.
 * Keys are HMAC blind indexes; the pair itself is sealed; authority says what allowed its writer.
 */
export interface CareRelationTable {
  source_key: Buffer;
  kind: string;
  practitioner_key: Buffer;
  patient_key: Buffer;
  sealed: Buffer;
  authority: string;
  created_by: string | null;
  created_by_kind: string | null;
  created_at: string;
}

export interface BreakGlassGrantTable {
  id: string;
  user_id: string;
  /** HMAC blind index of `Patient/<id>` (the same key as care_relations.patient_key). */
  patient_key: Buffer;
  patient_sealed: Buffer;
  reason_sealed: Buffer;
  created_at: string;
  expires_at: string;
  ended_at: string | null;
  ended_by: string | null;
}

/** A booked Slot (migration 0007): the primary key makes a second booking of it fail. */
export interface SlotReservationTable {
  slot_id: string;
  appointment_id: string;
  reserved_at: string;
}

/** When an appointment's reminder is due, and whether (and by which sweep) it was sent. */
export interface AppointmentReminderTable {
  appointment_id: string;
  due_at: string;
  sent_at: string | null;
  claimed_by: string | null;
}

/** A patient record disposed of (migration 0009): ids and times only. */
export interface DisposalTable {
  owner: string;
  disposed_at: string;
  requested_by: string;
  approved_by: string;
  approval_id: string;
  override: string | null;
  resources: number;
}

/** A named lease (migration 0017): one process at a time runs the work it names. */
export interface LeaseTable {
  name: string;
  holder: string;
  expires_at: string;
}

/** Security incidents (migration 0011): PHI-free JSON records, versioned for compare-and-set. */
export interface IncidentTable {
  id: string;
  discovered_at: string;
  record: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface BulkExportTable {
  id: string;
  caller: string;
  status: string;
  record: string;
  version: number;
  created_at: string;
  expires_at: string;
}

export interface AlertTable {
  id: string;
  dedup_key: string;
  rule: string;
  severity: string;
  user_id: string | null;
  patient_id: string | null;
  ref: string | null;
  first_seen: string;
  last_seen: string;
  count: number;
  status: string;
  ack_by: string | null;
  ack_at: string | null;
  ack_comment: string | null;
}

/** One row (id 1): raised by triggers on every write the read-path caches depend on (ADR 0037). */
export interface CacheEpochTable {
  id: number;
  epoch: number | string | bigint;
}

export interface SmartClientTable {
  id: string;
  name: string;
  secret_hash: string | null;
  redirect_uris: string;
  scopes: string;
  launch_url: string | null;
  created_at: string;
  revoked_at: string | null;
}

export interface SmartGrantTable {
  id: string;
  request_hash: string;
  client_id: string;
  redirect_uri: string;
  scope: string;
  state: string | null;
  nonce: string | null;
  code_challenge: string;
  launch_patient: string | null;
  launch_user: string | null;
  created_at: string;
  expires_at: string;
  user_id: string | null;
  granted_scope: string | null;
  patient_id: string | null;
  decided_at: string | null;
  code_hash: string | null;
  code_expires_at: string | null;
  code_used_at: string | null;
  revoked_at: string | null;
}

export interface SmartLaunchTable {
  id_hash: string;
  client_id: string;
  user_id: string;
  patient_id: string;
  expires_at: string;
}

export interface SmartTokenTable {
  token_hash: string;
  kind: string;
  grant_id: string;
  client_id: string;
  user_id: string;
  scope: string;
  patient_id: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  revoked_at: string | null;
}

export interface HavenDatabase {
  cache_epoch: CacheEpochTable;
  smart_clients: SmartClientTable;
  smart_grants: SmartGrantTable;
  smart_launches: SmartLaunchTable;
  smart_tokens: SmartTokenTable;
  slot_reservations: SlotReservationTable;
  appointment_reminders: AppointmentReminderTable;

  disposals: DisposalTable;
  leases: LeaseTable;
  incidents: IncidentTable;
  alerts: AlertTable;
  bulk_exports: BulkExportTable;
  care_relations: CareRelationTable;
  break_glass_grants: BreakGlassGrantTable;
  users: UserTable;
  webauthn_credentials: WebauthnCredentialTable;
  invitations: InvitationTable;
  sessions: SessionTable;
  login_throttle: LoginThrottleTable;
  admin_approvals: AdminApprovalTable;
  messages: MessageTable;
  message_receipts: MessageReceiptTable;
  visit_recording_consents: VisitRecordingConsentTable;
  visit_recordings: VisitRecordingTable;
  visit_recording_chunks: VisitRecordingChunkTable;
  audit_archives: AuditArchiveTable;
  resource_versions: ResourceVersionTable;
  resource_heads: ResourceHeadTable;
  search_tokens: SearchTokenTable;
  search_index_state: SearchIndexStateTable;
  data_keys: DataKeyTable;
  system_keys: SystemKeyTable;
  api_clients: ApiClientTable;
  audit_entries: AuditEntryTable;
  audit_head: AuditHeadTable;
  audit_checkpoints: AuditCheckpointTable;
}

// Kysely wants Generated<> only for columns the database fills itself; Haven fills all of them
// explicitly (sequence numbers included, so a rolled-back batch never leaves a gap).
export type { Generated };
