import { Alert, Stack } from '@mantine/core';
import { AddPerson } from '../admin/AddPerson';
import { Approvals } from '../admin/Approvals';
import { useReauth } from '../admin/reauth';
import { UserList } from '../admin/UserList';
import { useSession } from '../session/SessionProvider';
import { SignedInPage } from '../ui/SignedInPage';

/**
 * Account administration for the admin role. Hiding it from others is convenience only: the
 * server refuses every /api/admin call without the permission.
 */
export function People() {
  const { session } = useSession();
  const { guarded, prompt } = useReauth();
  if (!session) return null;
  if (!session.roles.includes('admin')) {
    return (
      <SignedInPage title="People">
        <Alert color="red" variant="light" role="alert" title="Not allowed">
          Only an administrator can manage accounts.
        </Alert>
      </SignedInPage>
    );
  }
  return (
    <SignedInPage title="People" width={1000}>
      <Stack gap="xl">
        <UserList guarded={guarded} />
        <Approvals guarded={guarded} />
        <AddPerson guarded={guarded} />
      </Stack>
      {prompt}
    </SignedInPage>
  );
}
