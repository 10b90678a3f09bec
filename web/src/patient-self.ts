import { useQuery } from '@tanstack/react-query';
import { get } from './api';
import { useSession } from './session/SessionProvider';

interface PatientResource {
  id: string;
  name?: { text?: string; given?: string[]; family?: string }[];
}

/**
 * A patient's own Patient record. A patient's search reaches their own record only (the access
 * policy's `self` reach), so the first entry is theirs. Held in the query cache only.
 */
export function usePatientSelf() {
  const { session } = useSession();
  const isPatient = session?.roles.includes('patient') ?? false;
  return useQuery({
    queryKey: ['patient-self'],
    enabled: isPatient && session?.mfa === true,
    queryFn: async () => {
      const bundle = await get<{ entry?: { resource?: PatientResource }[] }>(
        '/fhir/R4/Patient?_count=1',
      );
      const p = bundle.entry?.[0]?.resource;
      if (!p) return null;
      const n = p.name?.[0];
      const name = n?.text ?? [...(n?.given ?? []), n?.family ?? ''].join(' ').trim();
      return { id: p.id, name: name || null };
    },
  });
}
