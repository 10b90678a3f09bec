import { Box, Container, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** A calm single-column page: the product name, a heading, one card of content. */
export function Page({
  title,
  children,
  actions,
  width = 460,
}: {
  title: string;
  children: ReactNode;
  actions?: ReactNode;
  width?: number;
}) {
  return (
    <Box className="haven-page">
      <Container size={width} py="xl">
        <Group justify="space-between" mb="lg" component="header">
          <Text fw={700} size="lg" c="teal.9">
            Haven
          </Text>
          {actions}
        </Group>
        <main>
          <Paper withBorder p="xl" radius="md">
            <Stack gap="md">
              <Title order={1} size="h2">
                {title}
              </Title>
              {children}
            </Stack>
          </Paper>
        </main>
      </Container>
    </Box>
  );
}
