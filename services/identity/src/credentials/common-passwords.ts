/**
 * The most common passwords of public breach corpora (SecLists' top lists, lower-cased, those of 12+
 * characters first since shorter ones already fail the length rule), plus this product's obvious
 * choices. A password equal to one of them (case-insensitive) is refused (issue 3, password rules).
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  '123456789012', '1234567890123', '12345678901234', '123456789012345', '1234567890qwerty', '123456123456',
  '123123123123', '111111111111', '000000000000', '121212121212', '123321123321', '987654321987', '098765432109',
  '1q2w3e4r5t6y', '1q2w3e4r5t6y7u', 'q1w2e3r4t5y6', 'qwertyuiopasdf', 'qwertyuiop123', 'qwerty123456', 'qwerty1234567',
  '123456qwerty', 'qwertyqwerty', 'qwertyuiopas', 'asdfghjkl123', 'asdfasdfasdf', 'zxcvbnm12345', '1qaz2wsx3edc',
  '1qaz2wsx3edc4rfv', 'zaq12wsxcde3', 'zaq1zaq1zaq1', 'passwordpassword', 'password1234', 'password12345',
  'password123456', 'password123!', 'password1234!', 'password2016', 'password2017', 'password2023', 'password2024',
  'password2025', 'password2026', 'mypassword123', 'mypassword1234', 'passw0rd1234', 'p@ssw0rd1234', 'p@ssword1234',
  'p@ssw0rd123!', 'changeme1234', 'changeme123!', 'letmein12345', 'letmeinplease', 'welcome12345', 'welcome123456',
  'welcome2024!', 'welcome2025!', 'welcometothejungle', 'iloveyou1234', 'iloveyouforever', 'iloveyou123456',
  'trustno1trustno1', 'administrator', 'administrator1', 'administrator123', 'admin1234567', 'adminadmin123',
  'adminpassword', 'rootpassword', 'superman1234', 'batman123456', 'spiderman123', 'football1234', 'baseball1234',
  'basketball12', 'basketball123', 'soccer123456', 'princess1234', 'sunshine1234', 'starwars1234', 'pokemon12345',
  'michael12345', 'jennifer1234', 'liverpool123', 'chelsea12345', 'arsenal12345', 'manchester123',
  'abcdefghijkl', 'abcdefghijklm', 'abc123abc123', 'abcd1234abcd', 'abcdef123456', 'a1b2c3d4e5f6', 'aa123456789a',
  'monkey123456', 'dragon123456', 'shadow123456', 'master123456', 'killer123456', 'computer1234', 'internet1234',
  'whatever1234', 'freedom12345', 'qazwsxedcrfv', 'qazwsxedc123', 'thequickbrownfox', 'correcthorsebatterystaple',
  'correcthorse', 'iloveyou', 'password', 'password1', 'password12', 'password123', '123456', '1234567', '12345678',
  '123456789', '1234567890', 'qwerty', 'qwerty123', 'qwertyuiop', 'abc123', '111111', '123123', 'admin', 'letmein',
  'welcome', 'monkey', 'dragon', 'football', 'baseball', 'sunshine', 'princess', 'master', 'shadow', 'trustno1',
  // this product
  'billing-demo-2017', 'billingplatform', 'billing123456', 'billingpassword', 'finance123456', 'finance2024!',
  'customersuccess', 'customersuccess1', 'sales12345678', 'salespassword', 'anastassia123', 'segment12345',
]);
