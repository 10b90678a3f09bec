import crypto from 'node:crypto';
import { addUser, requireLinkedRecords, type AddUserInput } from './add-user.js';
import { changeRoles } from './admin.js';
import { creationNeedsApproval, grantsApprovalRole } from './approval-policy.js';
import type { Actor, UserContext } from './context.js';
import { emailIndexTerm, normalizeEmail } from './email.js';
import {
  ApprovalClosedError,
  DuplicateUserError,
  SameAdminApprovalError,
  SelfRoleChangeError,
  UnknownApprovalError,
  UserError,
} from './errors.js';
import { checkLinks, parseRoles, type UserRole } from './roles.js';

export const APPROVAL_TTL_MS = 24 * 3_600_000;

/** What an admin's request did: applied at once, or waiting for a second admin. */
export type AdminChange<T> =
  ({ status: 'applied' } & T) | { status: 'pending'; approvalId: string; expiresAt: string };

/** A pending change as admins see it: ids, roles and times; no email, no link ids. */
export interface PendingApproval {
  id: string;
  kind: 'user-create' | 'user-roles';
  subjectId: string;
  roles: UserRole[];
  links: ('patient' | 'practitioner')[];
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
}

type Payload =
  | { kind: 'user-create'; input: AddUserInput & { roles: UserRole[] } }
  | { kind: 'user-roles'; roles: UserRole[] };

/** An admin (over HTTP) creates an account: at once, or as a request under the two-person rule. */
export async function requestUserCreate(
  ctx: UserContext,
  input: AddUserInput,
  actor: Actor,
): Promise<AdminChange<{ userId: string; enrollmentToken: string; expiresAt: string }>> {
  const roles = parseRoles(input.roles);
  checkLinks(roles, input.patientId, input.practitionerId);
  // Refused at once, not after a second admin approves: the link must name a stored record.
  await requireLinkedRecords(ctx, input);
  if (!creationNeedsApproval(roles, input.patientId, input.practitionerId)) {
    return { status: 'applied', ...(await addUser(ctx, input, actor)) };
  }
  const email = normalizeEmail(input.email);
  if (await ctx.o.users.findByEmailIndex(ctx.o.blindIndex.token(emailIndexTerm(email)))) {
    throw new DuplicateUserError();
  }
  return open(
    ctx,
    crypto.randomUUID(),
    { kind: 'user-create', input: { ...input, email, roles } },
    actor,
  );
}

/** An admin (over HTTP) changes someone's roles; never their own. */
export async function requestRoleChange(
  ctx: UserContext,
  userId: string,
  roles: readonly string[],
  actor: Actor,
): Promise<AdminChange<{ roles: UserRole[] }>> {
  if (actor.actorId === userId) {
    await ctx.event({
      ...actor,
      action: 'user-roles-change',
      outcome: 'failure',
      reason: 'self-change',
      detail: { subject: userId },
    });
    throw new SelfRoleChangeError();
  }
  const user = await ctx.requireUser(userId);
  const parsed = parseRoles(roles);
  checkLinks(parsed, user.patientId ?? undefined, user.practitionerId ?? undefined);
  if (!grantsApprovalRole(user.roles, parsed)) {
    return { status: 'applied', roles: await changeRoles(ctx, userId, parsed, actor) };
  }
  return open(ctx, userId, { kind: 'user-roles', roles: parsed }, actor);
}

export async function listApprovals(ctx: UserContext): Promise<PendingApproval[]> {
  const rows = await repo(ctx).listOpen(ctx.o.clock().toISOString());
  return rows.map((r) => {
    const p = JSON.parse(ctx.open(r.id, 'approval', r.payloadSealed)) as Payload;
    const roles = p.kind === 'user-roles' ? p.roles : p.input.roles;
    const links: PendingApproval['links'] = [];
    if (p.kind === 'user-create' && p.input.patientId !== undefined) links.push('patient');
    if (p.kind === 'user-create' && p.input.practitionerId !== undefined)
      links.push('practitioner');
    return {
      id: r.id,
      kind: p.kind,
      subjectId: r.subjectId,
      roles,
      links,
      requestedBy: r.requestedBy,
      requestedAt: r.requestedAt,
      expiresAt: r.expiresAt,
    };
  });
}

/**
 * A second admin approves. The decision is one conditional UPDATE (store/approval-repository),
 * so parallel approvals apply the change once; the requester and the subject cannot approve; an
 * expired request cannot be approved. An approved creation's enrollment link goes to the person
 * (deliverEnrollment), never back to either admin.
 */
export async function approve(
  ctx: UserContext,
  approvalId: string,
  approver: Actor,
): Promise<{ kind: Payload['kind']; subjectId: string }> {
  const row = await repo(ctx).find(approvalId);
  if (!row) throw new UnknownApprovalError();
  const refuse = async (reason: string, error: UserError) => {
    await ctx.event({
      ...approver,
      action: 'privilege-approve',
      outcome: 'failure',
      reason,
      detail: { approval: approvalId, subject: row.subjectId },
    });
    throw error;
  };
  if (approver.actorId === row.requestedBy || approver.actorId === row.subjectId) {
    return refuse('same-admin', new SameAdminApprovalError());
  }
  const now = ctx.o.clock().toISOString();
  if (!(await repo(ctx).decide(approvalId, approver.actorId ?? '', now))) {
    return refuse(row.expiresAt <= now ? 'expired' : 'already-decided', new ApprovalClosedError());
  }
  const payload = JSON.parse(ctx.open(row.id, 'approval', row.payloadSealed)) as Payload;
  await ctx.event({
    ...approver,
    action: 'privilege-approve',
    outcome: 'success',
    detail: { approval: approvalId, subject: row.subjectId, requestedBy: row.requestedBy },
  });
  if (payload.kind === 'user-roles') {
    await changeRoles(ctx, row.subjectId, payload.roles, approver);
  } else {
    const deliver = ctx.o.deliverEnrollment;
    // Fail closed: with nowhere to send the link but the admin, nothing is created.
    if (!deliver) throw new Error('no enrollment delivery is configured');
    const added = await addUser(ctx, payload.input, approver, row.subjectId);
    await deliver({
      userId: added.userId,
      email: payload.input.email,
      token: added.enrollmentToken,
      expiresAt: added.expiresAt,
    });
  }
  await ctx.o.raiseAlert?.({
    rule: 'privilege-granted',
    severity: 'high',
    at: now,
    actorId: approver.actorId,
    ref: approvalId,
  });
  return { kind: payload.kind, subjectId: row.subjectId };
}

async function open(
  ctx: UserContext,
  subjectId: string,
  payload: Payload,
  actor: Actor,
): Promise<{ status: 'pending'; approvalId: string; expiresAt: string }> {
  const id = crypto.randomUUID();
  const now = ctx.o.clock();
  const expiresAt = new Date(now.getTime() + (ctx.o.approvalTtlMs ?? APPROVAL_TTL_MS));
  await repo(ctx).insert({
    id,
    kind: payload.kind,
    subjectId,
    payloadSealed: ctx.seal(id, 'approval', JSON.stringify(payload)),
    requestedBy: actor.actorId ?? '',
    requestedAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
    decidedBy: null,
    decidedAt: null,
  });
  const roles = payload.kind === 'user-roles' ? payload.roles : payload.input.roles;
  await ctx.event({
    ...actor,
    action: 'privilege-request',
    outcome: 'success',
    detail: { approval: id, subject: subjectId, kind: payload.kind, roles },
  });
  await ctx.o.raiseAlert?.({
    rule: 'privilege-request',
    severity: 'high',
    at: now.toISOString(),
    actorId: actor.actorId,
    ref: id,
  });
  return { status: 'pending', approvalId: id, expiresAt: expiresAt.toISOString() };
}

function repo(ctx: UserContext) {
  if (!ctx.o.approvals) throw new Error('approvals are not configured');
  return ctx.o.approvals;
}
