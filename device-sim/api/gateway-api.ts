import { HttpClient } from './http-client.js';

/** What the simulator reads and does through the gateway's public HTTP API (README "HTTP API"). */
export interface CompartmentView {
  index: number;
  size: string;
  hasOccupancySensor: boolean;
  state: 'available' | 'reserved' | 'occupied' | 'out_of_service';
  door: 'open' | 'closed' | 'unknown';
  occupancy: 'present' | 'absent' | 'unknown';
}

export interface LockerView {
  id: string;
  kind: string;
  compartments: CompartmentView[];
  device: { id: string; online: boolean } | null;
}

export interface DepositView {
  depositId: string;
  parcelId: string;
  lockerId: string;
  compartment: number;
  size: string;
  state: 'opening' | 'open' | 'deposited' | 'failed' | 'cancelled';
  reason: string | null;
}

export interface ParcelView {
  parcel: { parcelId: string; lockerId: string; compartment: number; state: string; holdUntil: number | null };
}

export interface OpenView {
  compartment: number;
  state: 'opening' | 'done' | 'failed';
  reason: string | null;
}

export interface AlarmView {
  id: string;
  kind: string;
  lockerId: string;
  compartment: number | null;
  state: string;
}

export class GatewayApi {
  readonly http: HttpClient;

  constructor(baseUrl: string, maxSockets = 16) {
    this.http = new HttpClient(baseUrl, maxSockets);
  }

  // Operator (Authorization: Bearer lgo_…)
  async createSite(token: string, site: { id?: string; name: string; kind: string; regionCode: string; address: string }): Promise<{ id: string }> {
    return (await this.http.request<{ id: string }>('POST', '/v1/sites', { token, body: site })).body;
  }

  async createLocker(token: string, locker: { id?: string; siteId: string; name: string; kind: string; layout: string }): Promise<{ locker: { id: string } }> {
    return (await this.http.request<{ locker: { id: string } }>('POST', '/v1/lockers', { token, body: locker })).body;
  }

  /** `codeKey` (protocol 1.1 §12.1) comes from gateways that do offline codes; older ones omit it. */
  async provisionDevice(token: string, lockerId: string, deviceId?: string): Promise<{ deviceId: string; secret: string; codeKey?: string }> {
    return (await this.http.request<{ deviceId: string; secret: string; codeKey?: string }>('POST', `/v1/lockers/${lockerId}/device`, { token, body: deviceId ? { deviceId } : {} })).body;
  }

  async addCarrier(token: string, name: string): Promise<{ apiKey: string }> {
    return (await this.http.request<{ apiKey: string }>('POST', '/v1/carriers', { token, body: { name } })).body;
  }

  async locker(token: string, lockerId: string): Promise<LockerView> {
    return (await this.http.request<LockerView>('GET', `/v1/lockers/${lockerId}`, { token })).body;
  }

  async alarms(token: string, query: string): Promise<AlarmView[]> {
    return (await this.http.request<{ alarms: AlarmView[] }>('GET', `/v1/alarms?${query}`, { token })).body.alarms;
  }

  // Courier (Authorization: Bearer lgc_…)
  async deposit(carrierKey: string, body: { lockerId: string; size: string; trackingNumber: string; recipientPhone: string; holdHours?: number }, idempotencyKey: string): Promise<DepositView> {
    return (await this.http.request<DepositView>('POST', '/v1/deposits', { token: carrierKey, body, headers: { 'idempotency-key': idempotencyKey } })).body;
  }

  async getDeposit(carrierKey: string, depositId: string): Promise<DepositView> {
    return (await this.http.request<DepositView>('GET', `/v1/deposits/${depositId}`, { token: carrierKey })).body;
  }

  async confirmDeposit(carrierKey: string, depositId: string): Promise<DepositView> {
    return (await this.http.request<DepositView>('POST', `/v1/deposits/${depositId}/confirm`, { token: carrierKey })).body;
  }

  async parcel(carrierKey: string, parcelId: string): Promise<ParcelView> {
    return (await this.http.request<ParcelView>('GET', `/v1/parcels/${parcelId}`, { token: carrierKey })).body;
  }

  async retrieve(carrierKey: string, parcelId: string): Promise<OpenView> {
    return (await this.http.request<OpenView>('POST', '/v1/retrievals?waitS=0', { token: carrierKey, body: { parcelId } })).body;
  }

  // Resident (possession of the code)
  async pickup(lockerId: string, code: string): Promise<OpenView> {
    return (await this.http.request<OpenView>('POST', '/v1/pickups', { body: { lockerId, code } })).body;
  }

  /**
   * An unlabelled Prometheus sample of the gateway's /metrics, e.g. process_resident_memory_bytes
   * (the gateway prefixes the default metrics: lockergate_process_resident_memory_bytes).
   */
  async metric(name: string): Promise<number | null> {
    const text = await this.http.text('/metrics');
    const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`lockergate_${name} `));
    if (!line) return null;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    return Number.isFinite(value) ? value : null;
  }

  close(): void {
    this.http.close();
  }
}
