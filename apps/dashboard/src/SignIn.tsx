import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { describeError, gql } from './api.js';

/** Signs in with the config's admin key: checked with an admin-only query before it is kept. */
export function SignIn({ onSignedIn }: { onSignedIn: (key: string) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const trimmed = key.trim();
    if (!trimmed) {
      setError('Paste the admin key (config adminApiKey).');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await gql(trimmed, '{ adminStats(days: 1) { currency } }');
      onSignedIn(trimmed);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center mih="100vh" bg="gray.0">
      <Paper withBorder shadow="sm" p="xl" w={420}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void submit();
          }}
        >
          <Stack>
            <Title order={2}>numbroker admin</Title>
            <Text c="dimmed" size="sm">
              Sign in with the server&apos;s admin key. It stays in this tab only (sessionStorage).
            </Text>
            <PasswordInput
              label="Admin key"
              placeholder="adminApiKey from the config"
              autoComplete="off"
              value={key}
              onChange={(event) => setKey(event.currentTarget.value)}
              data-testid="admin-key"
              autoFocus
            />
            {error && (
              <Alert color="red" title="Not signed in" data-testid="sign-in-error">
                {error}
              </Alert>
            )}
            <Button type="submit" loading={busy} data-testid="sign-in">
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
