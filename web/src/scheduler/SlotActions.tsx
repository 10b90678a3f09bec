import { Button, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ProblemAlert } from '../ui/ProblemAlert';
import {
  book,
  cancel,
  localDate,
  localTime,
  people,
  reschedule,
  type AppointmentView,
  type SlotView,
  type Week,
} from './scheduling-api';

export type Chosen =
  | { kind: 'book'; slot: SlotView }
  | { kind: 'change'; slot: SlotView; appointment: AppointmentView };

const when = (s: SlotView, zone: string) =>
  `${localDate(s.start, zone)} ${localTime(s.start, zone)}–${localTime(s.end, zone)}`;

/** Book a patient into a free slot, or move or cancel the appointment in a booked one. */
export function SlotActions({
  chosen,
  week,
  onClose,
  onChanged,
}: {
  chosen: Chosen;
  week: Week;
  onClose: () => void;
  onChanged: () => void;
}) {
  const zone = week.timeZone;
  const title = chosen.kind === 'book' ? 'Book a patient' : 'Change the appointment';
  return (
    // lockScroll off: the scroll lock injects a <style> element, which the CSP refuses.
    <Modal opened onClose={onClose} title={title} lockScroll={false}>
      <Text size="sm" mb="sm">
        {when(chosen.slot, zone)} ({zone})
      </Text>
      {chosen.kind === 'book' ? (
        <BookForm slot={chosen.slot} onChanged={onChanged} />
      ) : (
        <ChangeForm appointment={chosen.appointment} week={week} onChanged={onChanged} />
      )}
    </Modal>
  );
}

function BookForm({ slot, onChanged }: { slot: SlotView; onChanged: () => void }) {
  const [patientId, setPatientId] = useState<string | null>(null);
  const patients = useQuery({ queryKey: ['patients'], queryFn: () => people('Patient') });
  const booking = useMutation({
    mutationFn: () => book(slot.id, patientId!),
    onSuccess: onChanged,
  });
  return (
    <Stack gap="sm">
      <Select
        label="Patient"
        placeholder="Choose a patient"
        searchable
        data={(patients.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
        value={patientId}
        onChange={setPatientId}
      />
      <ProblemAlert error={patients.error ?? booking.error} title="Not booked" />
      <Button
        onClick={() => booking.mutate()}
        disabled={patientId === null}
        loading={booking.isPending}
      >
        Book appointment
      </Button>
    </Stack>
  );
}

function ChangeForm({
  appointment,
  week,
  onChanged,
}: {
  appointment: AppointmentView;
  week: Week;
  onChanged: () => void;
}) {
  const [slotId, setSlotId] = useState<string | null>(null);
  const free = week.slots.filter((s) => s.status === 'free');
  const moving = useMutation({
    mutationFn: () => reschedule(appointment.id, slotId!),
    onSuccess: onChanged,
  });
  const cancelling = useMutation({
    mutationFn: () => cancel(appointment.id),
    onSuccess: onChanged,
  });
  return (
    <Stack gap="sm">
      <Text size="sm">Patient: {appointment.patientName ?? appointment.patientId}</Text>
      <Select
        label="Move to a free slot"
        placeholder={free.length === 0 ? 'No free slot this week' : 'Choose a slot'}
        data={free.map((s) => ({ value: s.id, label: when(s, week.timeZone) }))}
        value={slotId}
        onChange={setSlotId}
      />
      <ProblemAlert error={moving.error ?? cancelling.error} title="Not changed" />
      <Group>
        <Button
          onClick={() => moving.mutate()}
          disabled={slotId === null}
          loading={moving.isPending}
        >
          Reschedule
        </Button>
        <Button
          color="red"
          variant="light"
          onClick={() => cancelling.mutate()}
          loading={cancelling.isPending}
        >
          Cancel appointment
        </Button>
      </Group>
    </Stack>
  );
}
