// The SpectrumLedger ABI, typed for viem. It must match the compiled artifact
// (dist/contracts/SpectrumLedger.json, built from contracts/SpectrumLedger.sol): test/ledger.abi
// checks that every item here is in the artifact and the reverse.
import { parseAbi } from 'viem';

export const spectrumLedgerAbi = parseAbi([
  'constructor(address[] operators_, uint256 bandUnits_, uint256 supplyMicro, uint256 priceMicroPerUnitSecond)',
  'error AlreadyDecided(uint256 epoch)',
  'error AlreadySettled(uint256 epoch, address operator)',
  'error DuplicateOperator(address operator)',
  'error NotOperator(address account)',
  'error TooFewOperators(uint256 count)',
  'error TooManyOperators(uint256 count)',
  'error UnitsExceedBand(uint256 units, uint256 bandUnits)',
  'error ZeroAddressOperator()',
  'error ZeroBand()',
  'error ZeroEpochDuration()',
  'error ZeroPrice()',
  'event Decided(uint256 indexed epoch, uint256 totalUnits)',
  'event Granted(uint256 indexed epoch, address indexed operator, uint256 units)',
  'event Requested(uint256 indexed epoch, address indexed operator, uint256 units)',
  'event Settled(uint256 indexed epoch, address indexed operator, uint256 usedUnits, uint256 usedMs, uint256 cost)',
  'function MAX_OPERATORS() view returns (uint256)',
  'function MICRO() view returns (uint256)',
  'function balanceOf(address account) view returns (uint256)',
  'function bandUnits() view returns (uint256)',
  'function decide(uint256 epoch, uint256 epochMs)',
  'function decided(uint256) view returns (bool)',
  'function grantOf(uint256 epoch, address operator) view returns (uint256)',
  'function isOperator(address account) view returns (bool)',
  'function operators() view returns (address[])',
  'function price() view returns (uint256)',
  'function request(uint256 epoch, uint256 units)',
  'function requestOf(uint256 epoch, address operator) view returns (uint256)',
  'function settle(uint256 epoch, uint256 usedUnits, uint256 usedMs)',
  'function settled(uint256, address) view returns (bool)',
  'function totalSupply() view returns (uint256)',
]);

export type SpectrumLedgerAbi = typeof spectrumLedgerAbi;
