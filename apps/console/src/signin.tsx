import { useState } from 'preact/hooks';
import { Api, ApiError, type Session } from './api';

interface Tenant {
  id: string;
  name: string;
  slug: string;
}
interface Extension {
  number: string;
  name: string;
}

/**
 * Sign in: an API key (kept in sessionStorage only), then the tenant (a system-wide key sees
 * several) and "my extension", the receptionist's phone.
 */
export function SignIn({ onSignedIn }: { onSignedIn(session: Session): void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tenants, setTenants] = useState<Tenant[] | null>(null);
  const [tenantId, setTenantId] = useState('');
  const [extensions, setExtensions] = useState<Extension[] | null>(null);
  const [extension, setExtension] = useState('');

  const attempt = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const loadExtensions = (id: string) =>
    attempt(async () => {
      setTenantId(id);
      const list = await new Api(key).all<Extension>(`/tenants/${id}/extensions`);
      setExtensions(list);
      setExtension(list[0]?.number ?? '');
    });

  const submitKey = (e: Event) => {
    e.preventDefault();
    void attempt(async () => {
      const list = await new Api(key.trim()).all<Tenant>('/tenants');
      if (list.length === 0) throw new ApiError('no-tenant', 404, 'This key sees no tenant.');
      setTenants(list);
      if (list.length === 1) await loadExtensions(list[0].id);
    });
  };

  const submitExtension = (e: Event) => {
    e.preventDefault();
    if (tenantId && extension) onSignedIn({ key: key.trim(), tenantId, extension });
  };

  return (
    <main class="signin">
      <h1>Parking console</h1>
      {!tenants ? (
        <form onSubmit={submitKey} aria-label="Sign in">
          <label for="key">API key</label>
          <input id="key" type="password" autoComplete="off" required value={key} onInput={(e) => setKey(e.currentTarget.value)} />
          <button type="submit" disabled={busy}>
            Sign in
          </button>
        </form>
      ) : (
        <form onSubmit={submitExtension} aria-label="Choose tenant and extension">
          {tenants.length > 1 && (
            <>
              <label for="tenant">Tenant</label>
              <select id="tenant" value={tenantId} onChange={(e) => void loadExtensions(e.currentTarget.value)}>
                <option value="">Choose…</option>
                {tenants.map((t) => (
                  <option value={t.id}>{t.name}</option>
                ))}
              </select>
            </>
          )}
          {extensions && (
            <>
              <label for="extension">My extension</label>
              <select id="extension" value={extension} onChange={(e) => setExtension(e.currentTarget.value)}>
                {extensions.map((x) => (
                  <option value={x.number}>
                    {x.number} {x.name}
                  </option>
                ))}
              </select>
            </>
          )}
          <button type="submit" disabled={busy || !extension}>
            Open the board
          </button>
        </form>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </main>
  );
}
