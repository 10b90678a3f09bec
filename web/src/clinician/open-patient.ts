import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useLocation } from 'wouter';

/**
 * Which patient's chart is open. Routes carry no ids (ADR 0023), so the id is kept where PHI is
 * kept: the query cache, in memory, cleared at sign-out with everything else.
 */
const OPEN_PATIENT = ['clinician', 'open-patient'] as const;

export function useOpenPatientId(): string | undefined {
  const { data } = useQuery<string | null>({
    queryKey: OPEN_PATIENT,
    queryFn: () => null,
    enabled: false,
    staleTime: Infinity,
    gcTime: Infinity,
  });
  return data ?? undefined;
}

/** Opens a patient's chart (the chart screen reads the id from the cache). */
export function useOpenChart(): (patientId: string) => void {
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  return useCallback(
    (patientId: string) => {
      queryClient.setQueryData(OPEN_PATIENT, patientId);
      navigate('/chart');
    },
    [queryClient, navigate],
  );
}

/** The query key prefix of everything read for one chart: invalidated when access changes. */
export const chartKey = (patientId: string, part: string) => ['chart', patientId, part] as const;

/** The roles that have a clinical workspace (and may break the glass). */
export const CLINICIAN_ROLES = ['physician', 'nurse'];

export function isClinician(roles: readonly string[] | undefined): boolean {
  return roles?.some((r) => CLINICIAN_ROLES.includes(r)) ?? false;
}
