// Typed access to the `skr8tr.*` settings, and which of them need the daemons restarted.
import * as vscode from 'vscode';
import { resolveHome } from '../shared/home';
import type { Level } from '../shared/logger';

export interface Settings {
  home: string;
  autoStart: boolean;
  localAgents: number;
  ingressAddress: string;
  logLevel: Level;
  rolloutOnSave: boolean;
  leaseMs: number;
}

/** Settings read by the daemons at start: changing one asks to restart them. */
export const RESTART_KEYS = ['skr8tr.ingressAddress', 'skr8tr.logLevel', 'skr8tr.leaseSeconds', 'skr8tr.localAgents'];

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('skr8tr');
  return {
    home: resolveHome(c.get<string>('home') || null),
    autoStart: c.get<boolean>('autoStart', true),
    localAgents: Math.max(0, Math.min(8, c.get<number>('localAgents', 1))),
    ingressAddress: c.get<string>('ingressAddress', '127.0.0.1') || '127.0.0.1',
    logLevel: c.get<Level>('logLevel', 'info'),
    rolloutOnSave: c.get<boolean>('rolloutOnSave', false),
    leaseMs: Math.max(5, c.get<number>('leaseSeconds', 30)) * 1000,
  };
}
