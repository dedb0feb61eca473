import { Stack, Text } from '@mantine/core';
import { PageTitle } from '../components.js';

export function WebhooksPage() {
  return (
    <Stack>
      <PageTitle title="Webhook deliveries" />
      <Text c="dimmed">Waiting for the admin webhook API.</Text>
    </Stack>
  );
}
