import { useEffect, useState } from 'react';
import { parseRoute, type Route } from '../lib/routes';

// The current route from the address bar; links navigate with the History API (see app_link.tsx).

export const NAVIGATE_EVENT = 'splitlearn:navigate';

function current(): Route {
  return parseRoute(window.location.pathname, window.location.search);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = (): void => setRoute(current());
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATE_EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATE_EVENT, update);
    };
  }, []);
  return route;
}

export function navigate(path: string): void {
  window.history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}
