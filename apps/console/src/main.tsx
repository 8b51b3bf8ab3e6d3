import { render } from 'preact';
import { useState } from 'preact/hooks';
import type { Session } from './api';
import { Board } from './board';
import { History } from './history';
import { SignIn } from './signin';

// The key lives in this tab's sessionStorage only: gone when the tab closes, never in a URL.
const STORAGE = 'parking-console.session';

function loadSession(): Session | null {
  try {
    return JSON.parse(sessionStorage.getItem(STORAGE) ?? 'null') as Session | null;
  } catch {
    return null;
  }
}

function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [tab, setTab] = useState<'board' | 'history'>('board');
  if (!session) {
    return (
      <SignIn
        onSignedIn={(s) => {
          sessionStorage.setItem(STORAGE, JSON.stringify(s));
          setSession(s);
        }}
      />
    );
  }
  const signOut = () => {
    sessionStorage.removeItem(STORAGE);
    setSession(null);
  };
  return (
    <>
      <header>
        <h1>Parking console</h1>
        <nav aria-label="Views">
          <button type="button" aria-pressed={tab === 'board'} onClick={() => setTab('board')}>
            Board
          </button>
          <button type="button" aria-pressed={tab === 'history'} onClick={() => setTab('history')}>
            History
          </button>
        </nav>
        <p class="me">My extension: {session.extension}</p>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      {/* The board stays mounted under the history tab: its stream must not miss events. */}
      <main>
        <div hidden={tab !== 'board'}>
          <Board session={session} />
        </div>
        {tab === 'history' && <History session={session} />}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
