import { Checkbox, Group } from '@mantine/core';
import { ROLES } from './admin-api';

/** Roles as labelled checkboxes in a group (no Select/MultiSelect: their popovers need a portal). */
export function RoleChoice({
  label,
  value,
  onChange,
  error,
}: {
  label: string;
  value: string[];
  onChange: (roles: string[]) => void;
  error?: string | null;
}) {
  return (
    <Checkbox.Group label={label} value={value} onChange={onChange} error={error}>
      <Group gap="md" mt="xs">
        {ROLES.map((r) => (
          <Checkbox key={r.value} value={r.value} label={r.label} />
        ))}
      </Group>
    </Checkbox.Group>
  );
}
