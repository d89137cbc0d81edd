#!/usr/bin/env python3
"""Loads a DemoClipFactory folder strictly into bench/demo_recipe.py's HF-style CLIP (name/shape check) and runs a forward.
usage: /usr/bin/python3 bench/check_demo_clip.py MODEL_DIR"""
import json, struct, sys
import numpy as np
src=open(__import__('os').path.join(__import__('os').path.dirname(__file__), 'demo_recipe.py')).read().replace('if __name__ == "__main__":\n    main()','')
exec(src)
d=sys.argv[1]
f=open(d+'/model.safetensors','rb'); n=struct.unpack('<Q',f.read(8))[0]; h=json.loads(f.read(n)); data=f.read()
W={k:torch.from_numpy(np.frombuffer(data[v['data_offsets'][0]:v['data_offsets'][1]],dtype=np.float32).reshape(v['shape']).copy()) for k,v in h.items() if k!='__metadata__'}
c=json.load(open(d+'/config.json')); vc=c['vision_config']; tc=c['text_config']
V=Vision(vc['image_size'],vc['patch_size'],vc['hidden_size'],vc['num_hidden_layers'],vc['num_attention_heads'],vc['intermediate_size'],c['projection_dim'])
T=Text(tc['hidden_size'],tc['num_hidden_layers'],tc['num_attention_heads'],tc['intermediate_size'],c['projection_dim'],tc['vocab_size'],tc['max_position_embeddings'])
def load(m, prefix_map):
    sd={}
    for k in m.state_dict():
        hk=prefix_map(k); sd[k]=W.pop(hk)
    m.load_state_dict(sd, strict=True)
load(V, lambda k: 'visual_projection.weight' if k.startswith('visual_projection') else 'vision_model.'+k.replace('layers.','encoder.layers.').replace('q_proj','self_attn.q_proj').replace('k_proj','self_attn.k_proj').replace('v_proj','self_attn.v_proj').replace('out_proj','self_attn.out_proj').replace('fc1','mlp.fc1').replace('fc2','mlp.fc2').replace('patch_embedding','embeddings.patch_embedding').replace('class_embedding','embeddings.class_embedding').replace('position_embedding','embeddings.position_embedding.weight').replace('weight.weight','weight'))
load(T, lambda k: 'text_projection.weight' if k.startswith('text_projection') else 'text_model.'+k.replace('layers.','encoder.layers.').replace('q_proj','self_attn.q_proj').replace('k_proj','self_attn.k_proj').replace('v_proj','self_attn.v_proj').replace('out_proj','self_attn.out_proj').replace('fc1','mlp.fc1').replace('fc2','mlp.fc2').replace('token_embedding.','embeddings.token_embedding.').replace('position_embedding','embeddings.position_embedding.weight').replace('embeddings.embeddings.','embeddings.'))
print('left over:', list(W))
print(V(torch.randn(2,3,64,64)).shape, T(torch.tensor([[49406,320,49407]+[0]*74])).shape, json.load(open(d+'/preprocessor_config.json'))['size'])
