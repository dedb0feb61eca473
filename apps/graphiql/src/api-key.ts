const STORAGE_KEY = 'numbroker.apiKey';

/** The key from `?key=` (then removed from the address bar so it is not bookmarked or shared
 *  by accident), else the one this browser remembered. */
export function initialApiKey(location: Location, history: History, storage: Storage): string {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('key');
  if (fromUrl) {
    storage.setItem(STORAGE_KEY, fromUrl);
    url.searchParams.delete('key');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return storage.getItem(STORAGE_KEY) ?? '';
}

export function rememberApiKey(storage: Storage, key: string): void {
  if (key) storage.setItem(STORAGE_KEY, key);
  else storage.removeItem(STORAGE_KEY);
}
