import { ASSET_ID_CRITERION, ASSET_PARAMETER_PREFIX } from './columns';
import { quoteValue } from './cell-error';
import type { PreparedContext, ProductAsset } from './context';
import type { RowScope } from './row-scope';

// Which asset a row reports on (SPEC §1.6, §5 48): `asset.id` or `parameter.{param_id}` with a
// value that names exactly one asset of the product, or the asset's recon id alone (the processor
// template's way). When both are given they must agree.

/** The id of the one asset the row names, or undefined after recording why not. */
export function resolveAssetId(scope: RowScope, context: PreparedContext): string | undefined {
  const reconColumn = scope.header('asset_recon_id');
  const reconId = scope.value('asset_recon_id');
  const criteria = scope.value('asset_search_criteria');
  const value = scope.value('asset_search_value');
  if (scope.hasFailed(reconColumn)) return undefined;

  if (criteria === '' && value === '' && reconId !== '') {
    const matches = context.assetsByReconId.get(reconId) ?? [];
    return single(scope, reconColumn, matches, `asset_recon_id ${quoteValue(reconId)}`);
  }
  const checkedCriteria = scope.required('asset_search_criteria');
  const checkedValue = scope.required('asset_search_value');
  if (checkedCriteria === undefined || checkedValue === undefined) return undefined;

  const matches = assetsMatching(scope, context, criteria, value);
  if (!matches) return undefined;
  const assetId = single(scope, scope.header('asset_search_value'), matches, `${criteria} ${quoteValue(value)}`);
  if (assetId === undefined || reconId === '') return assetId;

  const asset = matches[0];
  if (asset?.reconId !== reconId) {
    scope.fail(reconColumn, 'ASSET_RECON_MISMATCH', `asset_recon_id ${quoteValue(reconId)} is not the recon id of asset ${assetId}`);
    return undefined;
  }
  return assetId;
}

function assetsMatching(
  scope: RowScope,
  context: PreparedContext,
  criteria: string,
  value: string,
): readonly ProductAsset[] | undefined {
  if (criteria === ASSET_ID_CRITERION) return context.assetsById.get(value) ?? [];
  const paramId = criteria.startsWith(ASSET_PARAMETER_PREFIX) ? criteria.slice(ASSET_PARAMETER_PREFIX.length) : '';
  if (paramId !== '') return context.assetsByParameter(paramId).get(value) ?? [];
  const column = scope.header('asset_search_criteria');
  scope.fail(column, 'BAD_CRITERIA', `${column} ${quoteValue(criteria)} is not asset.id or parameter.{param_id}`);
  return undefined;
}

function single(scope: RowScope, column: string, matches: readonly ProductAsset[], searched: string): string | undefined {
  const [only, second] = matches;
  if (only && !second) return only.id;
  if (!only) {
    scope.fail(column, 'ASSET_NOT_FOUND', `no asset of the product has ${searched}`);
  } else {
    const ids = matches.map((a) => a.id).join(', ');
    scope.fail(column, 'ASSET_AMBIGUOUS', `${searched} matches ${matches.length} assets of the product (${ids})`);
  }
  return undefined;
}
