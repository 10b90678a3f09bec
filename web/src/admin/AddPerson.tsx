import { Alert, Button, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ProblemAlert } from '../ui/ProblemAlert';
import { adminApi, APPROVALS_KEY, USERS_KEY, type NewPerson } from './admin-api';
import type { Guarded } from './reauth';
import { RoleChoice } from './RoleChoice';

const EMPTY = { email: '', displayName: '', patientId: '', practitionerId: '' };

/** Invite a person. Every role grant waits for a second admin (ADR 0015). */
export function AddPerson({ guarded }: { guarded: Guarded }) {
  const qc = useQueryClient();
  const [form, setForm] = useState(EMPTY);
  const [roles, setRoles] = useState<string[]>([]);
  const [touched, setTouched] = useState(false);
  const add = useMutation({
    mutationFn: (p: NewPerson) => guarded(() => adminApi.add(p)),
    onSuccess: () => {
      setForm(EMPTY);
      setRoles([]);
      setTouched(false);
      void qc.invalidateQueries({ queryKey: USERS_KEY });
      void qc.invalidateQueries({ queryKey: APPROVALS_KEY });
    },
  });
  const field = (k: keyof typeof EMPTY) => ({
    value: form[k],
    onChange: (e: { currentTarget: { value: string } }) =>
      setForm({ ...form, [k]: e.currentTarget.value }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!form.email.includes('@') || roles.length === 0) return;
    add.mutate({
      email: form.email.trim(),
      roles,
      ...(form.displayName.trim() && { displayName: form.displayName.trim() }),
      ...(form.patientId.trim() && { patientId: form.patientId.trim() }),
      ...(form.practitionerId.trim() && { practitionerId: form.practitionerId.trim() }),
    });
  };
  return (
    <section aria-labelledby="add-person-title">
      <Title order={2} size="h3" id="add-person-title">
        Add a person
      </Title>
      <form onSubmit={submit} noValidate aria-labelledby="add-person-title">
        <Stack gap="sm">
          <TextInput
            label="Email address"
            type="email"
            autoComplete="off"
            required
            error={touched && !form.email.includes('@') ? 'Enter an email address' : null}
            {...field('email')}
          />
          <TextInput label="Display name" autoComplete="off" {...field('displayName')} />
          <RoleChoice
            label="Roles"
            value={roles}
            onChange={setRoles}
            error={touched && roles.length === 0 ? 'Choose at least one role' : null}
          />
          <TextInput
            label="Practitioner record id (optional)"
            description="For clinicians: the FHIR Practitioner this account acts as"
            autoComplete="off"
            {...field('practitionerId')}
          />
          <TextInput
            label="Patient record id (optional)"
            description="For patients: the FHIR Patient this account may see"
            autoComplete="off"
            {...field('patientId')}
          />
          <ProblemAlert error={add.error} title="The person was not added" />
          {add.data && (
            <Alert color="blue" variant="light" role="status" title="Request recorded">
              <Text size="sm">
                {add.data.status === 'pending'
                  ? 'Waiting for a second admin: the account is created when another admin approves it.'
                  : 'The account was created.'}
              </Text>
              <Text size="sm">
                The enrollment link is never shown here: Haven sends it to the person by email (or
                prints it on the server&apos;s terminal) once the account exists.
              </Text>
            </Alert>
          )}
          <Button type="submit" loading={add.isPending}>
            Add person
          </Button>
        </Stack>
      </form>
    </section>
  );
}
