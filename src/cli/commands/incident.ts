import os from 'node:os';
import {
  IncidentError,
  openIncidents,
  type IncidentActor,
  type IncidentService,
  type IncidentView,
} from '../../compliance/index.js';
import { CliFailure, print, withHaven, type CommonFlags } from '../common.js';

export type IncidentFlags = CommonFlags & Record<string, string | boolean | undefined>;

const operator = (): IncidentActor => ({
  actorType: 'system',
  actorId: `cli:${os.userInfo().username}`,
});

async function withIncidents<T>(
  flags: CommonFlags,
  fn: (s: IncidentService) => Promise<T>,
): Promise<T> {
  try {
    return await withHaven(flags, (haven) => fn(openIncidents(haven)));
  } catch (e) {
    if (e instanceof IncidentError) throw new CliFailure(`${e.message} [${e.code}]`, 65);
    throw e;
  }
}

function describe(v: IncidentView): string {
  const i = v.incident;
  return [
    `incident ${i.id} (version ${v.version}), discovered ${i.discoveredAt.slice(0, 10)}`,
    `  ${i.description}`,
    `  systems: ${i.systems.join(', ') || '—'}`,
    `  assessment: ${
      i.assessment
        ? `${i.assessment.acquiredOrViewed}; low probability of compromise: ${i.assessment.lowProbabilityOfCompromise}`
        : 'not yet recorded'
    }`,
    `  affected: ${
      i.affected
        ? `${i.affected.count} (${Object.entries(i.affected.byState)
            .map(([s, n]) => `${s} ${n}`)
            .join(', ')})`
        : 'not computed'
    }`,
    ...v.deadlines.map(
      (d) =>
        `  ${d.kind}${d.state ? ` (${d.state})` : ''}: due ${d.due.slice(0, 10)} (${d.daysLeft} days) — ${d.regulation}`,
    ),
  ].join('\n');
}

export async function incidentCreate(flags: IncidentFlags): Promise<void> {
  const v = await withIncidents(flags, (s) =>
    s.create(operator(), {
      discoveredAt: flags.discovered,
      description: flags.description,
      systems: String(flags.systems ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    }),
  );
  print(flags, v, describe(v));
}

export async function incidentList(flags: IncidentFlags): Promise<void> {
  const list = await withIncidents(flags, (s) => s.list(operator()));
  print(flags, list, list.map(describe).join('\n\n') || 'no incidents');
}

export async function incidentShow(id: string, flags: IncidentFlags): Promise<void> {
  const v = await withIncidents(flags, (s) => s.get(operator(), id));
  print(flags, v, describe(v));
}

export async function incidentAssess(id: string, flags: IncidentFlags): Promise<void> {
  const v = await withIncidents(flags, async (s) => {
    const current = await s.get(operator(), id);
    return s.assess(operator(), id, current.version, {
      natureAndExtent: String(flags.nature),
      unauthorizedPerson: String(flags.person),
      acquiredOrViewed: String(flags.acquired) as 'viewed',
      mitigation: String(flags.mitigation),
      lowProbabilityOfCompromise: flags.lowProbability === true,
    });
  });
  print(flags, v, describe(v));
}

export async function incidentAffected(id: string, flags: IncidentFlags): Promise<void> {
  const v = await withIncidents(flags, async (s) => {
    const current = await s.get(operator(), id);
    return s.computeAffected(operator(), id, current.version, {
      actorId: flags.actor,
      from: flags.from,
      to: flags.to,
    });
  });
  print(flags, v, describe(v));
}

export async function incidentNotice(id: string, flags: IncidentFlags): Promise<void> {
  const text = await withIncidents(flags, (s) =>
    s.notice(operator(), id, {
      organization: String(flags.organization),
      phone: String(flags.phone),
      email: String(flags.email),
      postalAddress: String(flags.postal),
    }),
  );
  print(flags, { draft: text }, text);
}
