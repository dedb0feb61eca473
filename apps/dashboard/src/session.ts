const STORAGE_KEY = 'numbroker.adminKey';

/** The admin key lives in sessionStorage: gone when the tab closes, never in a URL or cookie. */
export function storedAdminKey(storage: Storage = window.sessionStorage): string {
  return storage.getItem(STORAGE_KEY) ?? '';
}

export function storeAdminKey(key: string, storage: Storage = window.sessionStorage): void {
  if (key) storage.setItem(STORAGE_KEY, key);
  else storage.removeItem(STORAGE_KEY);
}
