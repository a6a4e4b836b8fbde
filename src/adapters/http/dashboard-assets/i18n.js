// Strings and Intl formatting for the two languages of the page. Region names come from the API
// (nameZh / nameEn); everything else a user reads is here.

const STRINGS = {
  zh: {
    title: '快递柜运营看板',
    langToggle: 'English',
    logout: '退出',
    loginTitle: '运营人员登录',
    loginHint: '请输入运营令牌（lgo_…），可用命令“lockergate token create --role viewer”创建。令牌只保存在当前标签页中。',
    tokenLabel: '运营令牌',
    loginButton: '登录',
    loginRejected: '令牌无效或已被撤销。',
    sessionEnded: '登录已失效，请重新输入令牌。',
    networkError: '无法连接网关。',
    loadFailed: '加载失败',
    updatedAt: '更新于 {time}',
    fleet: '设备概况',
    lockersOnline: '在线快递柜',
    lockersOffline: '离线',
    ofTotal: '共 {n} 组',
    lockersAsleep: '另有 {n} 组信报箱休眠中',
    openAlarms: '未处理告警',
    utilisation: '格口占用率',
    occupiedOf: '{occupied} / {total} 格口',
    dwellMedian: '滞留时长中位数',
    hours: '{n} 小时',
    pickedUp24: '24 小时内取件',
    pickedUp72: '72 小时内取件',
    expiredRate: '超期件比例',
    deliveryTime: '投递时效（承运商上报）',
    within24: '24 小时内送达',
    within72: '72 小时内送达',
    target: '目标 {pct}',
    share: '快递柜投递占比',
    shareOf: '{region} · 快递柜投递占比',
    latestPeriod: '最近周期',
    granularity: '周期',
    day: '日', week: '周', month: '月', quarter: '季度', year: '年',
    shareLine: '投递占比',
    targetLine: '目标',
    trendLine: '趋势',
    children: '下级地区',
    noChildren: '没有下级地区。',
    colRegion: '地区',
    colShare: '占比',
    colTarget: '目标',
    colStatus: '状态',
    colNeeded: '每日还需',
    colLocker: '入柜件数',
    colReported: '投递总量',
    met: '达标', behind: '未达标', no_data: '无数据',
    neededPerDay_other: '每日还需 {n} 件入柜',
    deployment: '建设进度',
    lockerGroups: '快递柜组（已投用 / 目标）',
    publicStations: '公共服务站（已建 / 目标）',
    noRows: '暂无数据。',
    alarmsTitle: '未处理告警',
    noAlarms: '当前没有未处理告警。',
    regions: '地区',
    noRegions: '尚未加载地区数据：请运行“lockergate seed --regions-only”。',
    alarmKind: {
      door_forced: '柜门被强行打开', door_left_open: '柜门未关', open_not_detected: '未检测到开门',
      door_jammed: '柜门卡住', snapshot_mismatch: '状态不一致', tamper: '防拆报警', power: '电源故障',
      sensor_fault: '传感器故障', low_battery: '电量低', device_offline: '设备离线', keypad_lockout: '键盘锁定',
      parcel_left_behind: '包裹遗留', deposit_unconfirmed: '投递未确认',
    },
  },
  en: {
    title: 'Locker operations',
    langToggle: '中文',
    logout: 'Log out',
    loginTitle: 'Operator login',
    loginHint: 'Enter an operator token (lgo_…); the command “lockergate token create --role viewer” makes one. The token is kept in this tab only.',
    tokenLabel: 'Operator token',
    loginButton: 'Log in',
    loginRejected: 'That token is not valid or has been revoked.',
    sessionEnded: 'Your session has ended; enter the token again.',
    networkError: 'Cannot reach the gateway.',
    loadFailed: 'Could not load',
    updatedAt: 'Updated {time}',
    fleet: 'Fleet',
    lockersOnline: 'Lockers online',
    lockersOffline: 'Offline',
    ofTotal: 'of {n}',
    lockersAsleep: '+ {n} mailbox banks asleep',
    openAlarms: 'Open alarms',
    utilisation: 'Compartment utilisation',
    occupiedOf: '{occupied} / {total} compartments',
    dwellMedian: 'Median dwell',
    hours: '{n} h',
    pickedUp24: 'Picked up within 24 h',
    pickedUp72: 'Picked up within 72 h',
    expiredRate: 'Expired parcels',
    deliveryTime: 'Delivery time (carrier reports)',
    within24: 'Delivered within 24 h',
    within72: 'Delivered within 72 h',
    target: 'target {pct}',
    share: 'Locker share',
    shareOf: '{region} · locker share',
    latestPeriod: 'Latest period',
    granularity: 'Period',
    day: 'Day', week: 'Week', month: 'Month', quarter: 'Quarter', year: 'Year',
    shareLine: 'Locker share',
    targetLine: 'Target',
    trendLine: 'Trend',
    children: 'Sub-regions',
    noChildren: 'No sub-regions.',
    colRegion: 'Region',
    colShare: 'Share',
    colTarget: 'Target',
    colStatus: 'Status',
    colNeeded: 'Needed / day',
    colLocker: 'Locker deliveries',
    colReported: 'All deliveries',
    met: 'Met', behind: 'Behind', no_data: 'No data',
    neededPerDay_one: '{n} more locker delivery a day',
    neededPerDay_other: '{n} more locker deliveries a day',
    deployment: 'Deployment',
    lockerGroups: 'Locker groups (commissioned / target)',
    publicStations: 'Public stations (built / target)',
    noRows: 'No data yet.',
    alarmsTitle: 'Open alarms',
    noAlarms: 'No open alarms.',
    regions: 'Regions',
    noRegions: 'No regions are loaded yet: run “lockergate seed --regions-only”.',
    alarmKind: {
      door_forced: 'Door forced', door_left_open: 'Door left open', open_not_detected: 'Open not detected',
      door_jammed: 'Door jammed', snapshot_mismatch: 'Snapshot mismatch', tamper: 'Tamper', power: 'Power',
      sensor_fault: 'Sensor fault', low_battery: 'Low battery', device_offline: 'Device offline', keypad_lockout: 'Keypad lockout',
      parcel_left_behind: 'Parcel left behind', deposit_unconfirmed: 'Deposit unconfirmed',
    },
  },
};

export const LANGS = /** @type {const} */ (['zh', 'en']);
const LOCALE = { zh: 'zh-CN', en: 'en-GB' };
const STORAGE_KEY = 'lockergate.lang';

/** The remembered choice, else the browser's language: Chinese for any zh-*, English otherwise. */
export function initialLang(storage, navigatorLanguage) {
  const saved = storage.getItem(STORAGE_KEY);
  if (saved === 'zh' || saved === 'en') return saved;
  return /^zh\b/i.test(navigatorLanguage ?? '') ? 'zh' : 'en';
}

export function rememberLang(storage, lang) {
  storage.setItem(STORAGE_KEY, lang);
}

/** Everything language-dependent the views need, bound to one language. */
export function i18n(lang) {
  const strings = STRINGS[lang];
  const locale = LOCALE[lang];
  const int = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const dec = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const plurals = new Intl.PluralRules(locale);
  const shanghai = { timeZone: 'Asia/Shanghai' };
  const time = new Intl.DateTimeFormat(locale, { ...shanghai, hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const dateTime = new Intl.DateTimeFormat(locale, { ...shanghai, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  // Period labels: the API's dates are calendar days (Asia/Shanghai); format them as UTC dates
  // so no time zone can move them to the neighbouring day.
  const utc = { timeZone: 'UTC' };
  const dayFmt = new Intl.DateTimeFormat(locale, { ...utc, month: 'short', day: 'numeric' });
  const monthFmt = new Intl.DateTimeFormat(locale, { ...utc, year: 'numeric', month: 'short' });
  const yearFmt = new Intl.DateTimeFormat(locale, { ...utc, year: 'numeric' });

  /** `{name}` placeholders filled from `vars`. */
  function t(key, vars = {}) {
    const s = strings[key] ?? key;
    return typeof s === 'string' ? s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? '')) : key;
  }

  return {
    lang,
    locale,
    t,
    /** `key_one` / `key_other` by the language's plural rules (Chinese has only `other`). */
    plural: (key, n, vars = {}) => t(strings[`${key}_${plurals.select(n)}`] ? `${key}_${plurals.select(n)}` : `${key}_other`, { n, ...vars }),
    alarmKind: (kind) => strings.alarmKind[kind] ?? kind,
    regionName: (r) => (lang === 'zh' ? r.nameZh || r.nameEn : r.nameEn || r.nameZh) ?? r.code,
    int: (n) => (n == null ? '–' : int.format(n)),
    dec: (n) => (n == null ? '–' : dec.format(n)),
    /** The API gives percentages as numbers 0..100. */
    pct: (n) => (n == null ? '–' : pct.format(n / 100)),
    time: (ms) => time.format(ms),
    dateTime: (ms) => dateTime.format(ms),
    period(period, granularity) {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(period ?? '');
      if (!m) return String(period);
      const d = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
      if (granularity === 'month') return monthFmt.format(d);
      if (granularity === 'year') return yearFmt.format(d);
      if (granularity === 'quarter') {
        const q = Math.floor((Number(m[2]) - 1) / 3) + 1;
        return lang === 'zh' ? `${m[1]}年第${q}季度` : `Q${q} ${m[1]}`;
      }
      return dayFmt.format(d);
    },
  };
}
