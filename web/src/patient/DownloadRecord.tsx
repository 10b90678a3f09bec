import { Button, Group, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { get } from '../api';
import { ProblemAlert } from '../ui/ProblemAlert';

/**
 * "Download my record": the patient's whole record (Patient/$everything, recorded in the audit
 * trail as an export) fetched with the session like any other request and handed to the browser
 * as a file made in memory. The link the browser follows is an opaque blob: URL, revoked at once;
 * no address ever names the patient or holds the data, and nothing is kept in browser storage.
 */
export function DownloadRecord({ patientId }: { patientId: string | undefined }) {
  const download = useMutation({
    mutationFn: async () => {
      const bundle = await get<unknown>(
        `/fhir/R4/Patient/${encodeURIComponent(patientId!)}/$everything`,
      );
      const blob = new Blob([JSON.stringify(bundle, null, 2)], { type: 'application/fhir+json' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = 'my-health-record.json';
      document.body.append(a);
      a.click();
      a.remove();
      // The download has been handed to the browser; the page keeps no copy.
      setTimeout(() => URL.revokeObjectURL(url), 0);
    },
  });
  return (
    <Group gap="sm" align="center">
      <Button
        onClick={() => download.mutate()}
        loading={download.isPending}
        disabled={patientId === undefined}
      >
        Download my record
      </Button>
      <Text size="sm" c="dimmed">
        Your whole record as a FHIR file, for you or another provider.
      </Text>
      {download.isSuccess && (
        <Text size="sm" role="status">
          Your record was downloaded.
        </Text>
      )}
      <ProblemAlert error={download.error} title="Your record could not be downloaded" />
    </Group>
  );
}
