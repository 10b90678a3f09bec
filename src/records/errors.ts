/**
 * A FHIR API error: an HTTP status and an OperationOutcome issue code. Messages are written by
 * Haven and never contain submitted values (they may be PHI); they may name fields and params.
 */
export type IssueCode =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'not-found'
  | 'deleted'
  | 'not-supported'
  | 'conflict'
  | 'business-rule'
  | 'multiple-matches'
  | 'forbidden'
  | 'login'
  | 'too-costly'
  | 'throttled'
  | 'too-long'
  | 'exception'
  | 'transient'
  | 'processing';

export interface Issue {
  code: IssueCode;
  diagnostics: string;
  expression?: string[];
}

export class FhirError extends Error {
  readonly issues: Issue[];
  constructor(
    readonly status: number,
    code: IssueCode,
    diagnostics: string,
    extraIssues: Issue[] = [],
  ) {
    super(diagnostics);
    this.issues = [{ code, diagnostics }, ...extraIssues];
  }

  get code(): IssueCode {
    return this.issues[0]!.code;
  }
}

export const notFound = (what = 'resource') => new FhirError(404, 'not-found', `${what} not found`);
export const invalid = (msg: string, issues: Issue[] = []) =>
  new FhirError(400, 'invalid', msg, issues);

export function operationOutcome(
  issues: Issue[],
  requestId: string | undefined,
): Record<string, unknown> {
  return {
    resourceType: 'OperationOutcome',
    ...(requestId ? { id: requestId } : {}),
    issue: issues.map((i) => ({
      severity:
        i.code === 'not-found' || i.code === 'deleted'
          ? 'error'
          : i.code === 'exception' || i.code === 'transient'
            ? 'fatal'
            : 'error',
      code: i.code,
      diagnostics: i.diagnostics,
      ...(i.expression ? { expression: i.expression } : {}),
    })),
  };
}
