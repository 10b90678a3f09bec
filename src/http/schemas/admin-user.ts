import { z } from 'zod';
import { FHIR_ID, IdParams, NoContent, REFUSALS } from './common.js';

const Roles = z.array(z.string().max(32)).min(1).max(7);
const Pending = z.object({
  status: z.literal('pending'),
  approvalId: z.string(),
  expiresAt: z.string(),
});

/** User management for admins (src/http/admin-user-routes.ts). */
export const users = {
  summary: 'Every account, with roles, status and record links',
  response: {
    200: z.object({
      users: z.array(
        z.object({
          id: z.string(),
          email: z.string(),
          roles: z.array(z.string()),
          status: z.string(),
          mfaConfigured: z.boolean(),
          patientId: z.string().nullable(),
          practitionerId: z.string().nullable(),
          createdAt: z.string(),
        }),
      ),
    }),
    ...REFUSALS,
  },
};

export const add = {
  summary: 'Invite a person; a PHI role or a record link waits for a second admin (202)',
  body: z.object({
    email: z.string().min(3).max(320),
    roles: Roles,
    patientId: FHIR_ID.optional(),
    practitionerId: FHIR_ID.optional(),
    displayName: z.string().min(1).max(200).optional(),
  }),
  response: {
    201: z.object({
      status: z.literal('applied'),
      userId: z.string(),
      enrollmentToken: z.string(),
      expiresAt: z.string(),
    }),
    202: Pending,
    ...REFUSALS,
  },
};

export const approvals = {
  summary: 'Changes waiting for a second admin (two-person rule)',
  response: {
    200: z.object({
      approvals: z.array(
        z.object({
          id: z.string(),
          kind: z.enum(['user-create', 'user-roles']),
          subjectId: z.string(),
          roles: z.array(z.string()),
          links: z.array(z.enum(['patient', 'practitioner'])),
          requestedBy: z.string(),
          requestedAt: z.string(),
          expiresAt: z.string(),
        }),
      ),
    }),
    ...REFUSALS,
  },
};

export const approve = {
  summary: 'Approve a pending change (a different admin than the requester)',
  params: IdParams,
  response: {
    200: z.object({ status: z.string(), kind: z.string(), subjectId: z.string() }),
    ...REFUSALS,
  },
};

export const roles = {
  summary: "Change a person's roles; ends their sessions and app tokens",
  params: IdParams,
  body: z.object({ roles: Roles }),
  response: {
    200: z.object({ status: z.literal('applied'), roles: z.array(z.string()) }),
    202: Pending,
    ...REFUSALS,
  },
};

const userAction = (summary: string) => ({
  summary,
  params: IdParams,
  response: { 204: NoContent, ...REFUSALS },
});

/** The plain actions on an account, by their path. */
export const act = {
  disable: userAction('Disable an account; its sessions end'),
  'reset-mfa': userAction('Remove the second factors of an account'),
  unlock: userAction('Lift the lock after too many failed sign-ins'),
  'resend-invitation': userAction(
    'Send a new enrollment link to the person (never to the admin); the old link stops working',
  ),
};
