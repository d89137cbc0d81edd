package dev.rali.engine.clip;

import java.util.List;

/**
 * What one tower returns, in Hugging Face's terms.
 *
 * @param embeds          projected features (get_image_features / get_text_features), NOT L2-normalised [B, P]
 * @param pooled          pooler_output: post_layernorm(class token) / final-LN hidden state at EOT [B, D]
 * @param lastHiddenState last_hidden_state: vision without post_layernorm, text after final_layer_norm [B, T, D]
 * @param hiddenStates    hidden_states when asked for: the encoder input, then each layer's output [B, T, D]
 *                        (empty otherwise)
 * @param attentions      attentions when asked for: each layer's softmax probabilities [B, H, T, T] (empty otherwise)
 */
public record TowerOutput(FloatTensor embeds, FloatTensor pooled, FloatTensor lastHiddenState,
                          List<FloatTensor> hiddenStates, List<FloatTensor> attentions) { }
