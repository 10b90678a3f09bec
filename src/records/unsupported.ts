import type { FhirInteraction } from '../access/index.js';
import type { RequestContext } from '../auth/index.js';
import { FhirError } from './errors.js';
import { authorizeType } from './record-access.js';
import { assertType, type RecordDeps } from './record-context.js';

/**
 * DELETE and PATCH are not offered (records are kept; see the CapabilityStatement), but they
 * still pass the access decision first, so a refused caller is told "forbidden" and audited
 * like any other, and only a caller who could otherwise do it learns it is not supported.
 */
export async function refuseUnsupported(
  deps: RecordDeps,
  ctx: RequestContext,
  interaction: Extract<FhirInteraction, 'delete' | 'update'>,
  method: 'DELETE' | 'PATCH',
  resourceType: string,
  id: string,
): Promise<never> {
  assertType(resourceType);
  await authorizeType(deps, ctx, interaction, resourceType, id);
  throw new FhirError(
    405,
    'not-supported',
    `${method} is not supported; records are kept (see the CapabilityStatement)`,
  );
}
