import crypto from 'node:crypto';
import { totpCodeAt, type Actor, type UserRole, type UserService } from '../auth/index.js';

/**
 * The demo clinic's people: one per role, enrolled with a random password and a confirmed TOTP
 * secret, so each can sign in at once. Their sign-in details are returned to the caller, which
 * prints them to the terminal; nothing here logs them or writes them to a file.
 */

/** `.invalid` is reserved (RFC 2606): no demo address can ever reach a real mailbox. */
export const DEMO_EMAIL_DOMAIN = 'demo.haven.invalid';

export const DEMO_ACTOR: Actor = { actorType: 'system', actorId: 'haven-demo' };

export interface DemoSignIn {
  role: UserRole;
  userId: string;
  email: string;
  password: string;
  totpSecret: string;
  otpauthUri: string;
  /** Shown once, like at any enrollment. */
  recoveryCodes: string[];
}

export interface DemoLinks {
  physician: string;
  nurse: string;
  patient: string;
}

/** In the order they are created: the admin first, whose address claims the installation. */
const PEOPLE: { role: UserRole; name: string; link?: keyof DemoLinks }[] = [
  { role: 'admin', name: 'Demo Admin' },
  { role: 'physician', name: 'Demo Physician', link: 'physician' },
  { role: 'nurse', name: 'Demo Nurse', link: 'nurse' },
  { role: 'lab_assistant', name: 'Demo Lab Assistant' },
  { role: 'scheduler', name: 'Demo Scheduler' },
  { role: 'auditor', name: 'Demo Auditor' },
  { role: 'patient', name: 'Demo Patient', link: 'patient' },
];

export const DEMO_ROLE_COUNT = PEOPLE.length;
export const DEMO_STAFF_ROLES = PEOPLE.map((p) => p.role).filter(
  (r) => r !== 'admin' && r !== 'patient',
);

/** 120 random bits in a form one can type; far from any breached-password list. */
function demoPassword(): string {
  return crypto.randomBytes(15).toString('base64url');
}

/**
 * Adds the demo people of `roles`, in order. A link must name a stored resource, so the caller
 * adds the admin first (whose unique address claims the installation against a parallel run),
 * writes the practitioners, adds the staff, imports the patients, and adds the patient last.
 */
export async function addDemoPeople(
  users: UserService,
  roles: readonly UserRole[],
  links: DemoLinks,
  clock: () => Date,
): Promise<DemoSignIn[]> {
  const out: DemoSignIn[] = [];
  for (const p of PEOPLE.filter((q) => roles.includes(q.role))) {
    const email = `${p.role.replace('_', '-')}@${DEMO_EMAIL_DOMAIN}`;
    const linkId = p.link && links[p.link];
    const added = await users.addUser(
      {
        email,
        roles: [p.role],
        displayName: p.name,
        ...(p.link === 'patient' && { patientId: linkId }),
        ...(p.link !== undefined && p.link !== 'patient' && { practitionerId: linkId }),
      },
      DEMO_ACTOR,
    );
    const password = demoPassword();
    await users.enroll(added.enrollmentToken, password);
    const totp = await users.beginTotpEnrollment(added.userId);
    const confirmed = await users.confirmTotp(added.userId, totpCodeAt(totp.secret, clock(), 6));
    if (!confirmed.ok) throw new Error('the demo could not confirm a TOTP enrollment');
    out.push({
      role: p.role,
      userId: added.userId,
      email,
      password,
      totpSecret: totp.secret,
      otpauthUri: totp.otpauthUri,
      recoveryCodes: confirmed.recoveryCodes,
    });
  }
  return out;
}
