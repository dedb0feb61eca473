import { createContext, useContext } from 'react';

export const AdminKeyContext = createContext<string>('');

/** The signed-in admin key (only rendered inside the signed-in shell). */
export function useAdminKey(): string {
  return useContext(AdminKeyContext);
}
