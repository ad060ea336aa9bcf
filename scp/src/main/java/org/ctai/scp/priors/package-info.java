/**
 * Priors: the patient's earlier CT studies fetched from the PACS by query/retrieve (Study Root C-FIND, then C-MOVE to
 * the node's own AE title or, with {@code priors.retrieve=get}, C-GET into the receiver's own intake), so the history
 * has something to compare a new study with. The public face is
 * {@link org.ctai.scp.priors.PriorFetcher} ({@code studySeen}, and as the workers' {@code JobHooks} the trigger after a
 * job completed and the choice to keep a prior's results at home); the SCU and the rows of {@code scp.prior_query}
 * and {@code scp.prior_fetch} are package-private.
 */
package org.ctai.scp.priors;
