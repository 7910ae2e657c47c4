// The countries a case may be about: ISO 3166-1 alpha-2 as the services accept them (the
// Netherlands excepted: the country of focus lies outside it), named through Intl.
import { formatCountry } from "./format";
import { language, locale, type Lang } from "./i18n/i18n";

const codes =
  "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS " +
  "BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE " +
  "EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM " +
  "HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC " +
  "LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA " +
  "NC NE NF NG NI NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
  "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO " +
  "TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/** Every country of focus a case may have (not NL). */
export const focusCountries: readonly string[] = codes.split(" ");

export function isFocusCountry(code: string): boolean {
  return focusCountries.includes(code);
}

const sorted = new Map<Lang, { code: string; name: string }[]>();

/** The countries with their names, in the alphabetical order of the language. */
export function countryOptions(lang: Lang = language()): readonly { code: string; name: string }[] {
  let list = sorted.get(lang);
  if (!list) {
    const collator = new Intl.Collator(locale(lang));
    list = focusCountries
      .map((code) => ({ code, name: formatCountry(code, lang) }))
      .sort((a, b) => collator.compare(a.name, b.name));
    sorted.set(lang, list);
  }
  return list;
}
