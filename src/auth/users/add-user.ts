import crypto from 'node:crypto';
import { SYSTEM_ACTOR, type Actor, type UserContext } from './context.js';
import { emailIndexTerm, normalizeEmail } from './email.js';
import { DuplicateUserError, InvalidLinkError } from './errors.js';
import { checkLinks, parseRoles, passwordRoleFor } from './roles.js';

export interface AddUserInput {
  email: string;
  roles: readonly string[];
  patientId?: string | undefined;
  practitionerId?: string | undefined;
  displayName?: string | undefined;
}

export interface AddedUser {
  userId: string;
  /** Shown once (as a link); only its SHA-256 is stored. */
  enrollmentToken: string;
  expiresAt: string;
}

export const ENROLLMENT_TTL_MS = 72 * 3_600_000;

/** SHA-256 is enough: the token carries 256 random bits, so there is nothing to brute-force. */
export function hashEnrollmentToken(token: string): Buffer {
  return crypto.createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Creates a person with a fresh, never-reused id and an invitation to set a first password.
 * The email is sealed and found only through its blind index.
 */
export async function addUser(
  ctx: UserContext,
  input: AddUserInput,
  actor: Actor = SYSTEM_ACTOR,
  /** The id to give the account (an approved request names it in advance); default: new. */
  userId: string = crypto.randomUUID(),
): Promise<AddedUser> {
  const roles = parseRoles(input.roles);
  checkLinks(roles, input.patientId, input.practitionerId);
  await requireLinkedRecords(ctx, input);
  const email = normalizeEmail(input.email);
  const emailIndex = ctx.o.blindIndex.token(emailIndexTerm(email));
  if (await ctx.o.users.findByEmailIndex(emailIndex)) throw new DuplicateUserError();

  const now = ctx.o.clock();
  const at = now.toISOString();
  const inserted = await ctx.o.users.insert({
    id: userId,
    emailIndex,
    emailSealed: ctx.seal(userId, 'email', email),
    nameSealed: input.displayName ? ctx.seal(userId, 'name', input.displayName) : null,
    roles,
    patientId: input.patientId ?? null,
    practitionerId: input.practitionerId ?? null,
    at,
  });
  // A concurrent add of the same address lost the race on the unique index.
  if (!inserted) throw new DuplicateUserError();

  const enrollmentToken = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + (ctx.o.enrollmentTtlMs ?? ENROLLMENT_TTL_MS));
  await ctx.o.invitations.insert({
    tokenHash: hashEnrollmentToken(enrollmentToken),
    userId,
    purpose: passwordRoleFor(roles) === 'patient' ? 'register' : 'enroll',
    expiresAt: expiresAt.toISOString(),
    at,
  });
  await ctx.event({
    ...actor,
    action: 'user-create',
    outcome: 'success',
    patientId: input.patientId,
    detail: { subject: userId, roles },
  });
  return { userId, enrollmentToken, expiresAt: expiresAt.toISOString() };
}

/** A link names a stored record: an unknown id would be claimed by whoever creates it later. */
export async function requireLinkedRecords(ctx: UserContext, input: AddUserInput): Promise<void> {
  for (const [type, id] of [
    ['Patient', input.patientId],
    ['Practitioner', input.practitionerId],
  ] as const) {
    if (id === undefined) continue;
    if (!ctx.o.linkExists || !(await ctx.o.linkExists(type, id)))
      throw new InvalidLinkError(`no ${type} with that id is stored`);
  }
}
